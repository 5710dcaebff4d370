from django.db import models


class BareReport(models.Model):
    reference = models.CharField(max_length=32, unique=True)
    category = models.CharField(max_length=50)
    answers = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "bare"

    def __str__(self) -> str:
        return self.reference
