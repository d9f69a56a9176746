"""Background work of the questions module: printing PDFs and the jurists' daily digest."""

from core.jobs.base import tenant_task

from .models import Question


@tenant_task(name="questions.pdf_render", acks_late=True)
def question_pdf_render(question_id: int) -> bool:
    """Print the question's PDF for its current revision (nothing to do if already printed)."""
    from .services import question_pdf_ensure

    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return False
    question_pdf_ensure(question=question)
    return True
