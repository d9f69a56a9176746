"""API routes of questions: /api/questions/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.QuestionListView.as_view(), name="question-list"),
    path("<int:question_id>/", views.QuestionDetailView.as_view(), name="question-detail"),
    path("<int:question_id>/messages/", views.QuestionReplyView.as_view(), name="question-reply"),
    path("<int:question_id>/assign/", views.QuestionAssignView.as_view(), name="question-assign"),
    path("<int:question_id>/answer/", views.QuestionAnswerView.as_view(), name="question-answer"),
    path("<int:question_id>/info-request/", views.QuestionInfoRequestView.as_view(), name="question-info-request"),
    path("<int:question_id>/close/", views.QuestionCloseView.as_view(), name="question-close"),
    path("<int:question_id>/reopen/", views.QuestionReopenView.as_view(), name="question-reopen"),
    path("<int:question_id>/callback-done/", views.CallbackDoneView.as_view(), name="question-callback-done"),
    path("<int:question_id>/pdf/", views.QuestionPdfView.as_view(), name="question-pdf"),
    path("attachments/<int:attachment_id>/", views.AttachmentView.as_view(), name="attachment-detail"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("callbacks/", views.CallbackListView.as_view(), name="callback-list"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
]
