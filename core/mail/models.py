"""OutgoingEmail: the outbox row that survives a crash between commit and send."""

from django.db import models


class OutgoingEmail(models.Model):
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="mail_pending_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
