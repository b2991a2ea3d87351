"""The feedback events (C6): complaint acknowledgement, extension and response, feedback
acknowledgement and feedback passed to staff."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0006_notifyops_history_own_templates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="event",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Acknowledgement"),
                    ("update", "Update to the customer"),
                    ("deadline-moved", "Deadline moved"),
                    ("extension", "Extension"),
                    ("response", "Response"),
                    ("closure", "Closure"),
                    ("reopening", "Reopening"),
                    ("callback-reminder", "Call-back reminder"),
                    ("escalation", "Escalation notice"),
                    ("bulk", "Message to many customers"),
                    ("test", "Test message"),
                    ("complaint-acknowledgement", "Complaint acknowledgement"),
                    ("complaint-extension", "Complaint extension"),
                    ("complaint-response", "Complaint response"),
                    ("feedback-acknowledgement", "Feedback acknowledgement"),
                    ("feedback-passed-on", "Feedback passed to staff"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="event",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Acknowledgement"),
                    ("update", "Update to the customer"),
                    ("deadline-moved", "Deadline moved"),
                    ("extension", "Extension"),
                    ("response", "Response"),
                    ("closure", "Closure"),
                    ("reopening", "Reopening"),
                    ("callback-reminder", "Call-back reminder"),
                    ("escalation", "Escalation notice"),
                    ("bulk", "Message to many customers"),
                    ("test", "Test message"),
                    ("complaint-acknowledgement", "Complaint acknowledgement"),
                    ("complaint-extension", "Complaint extension"),
                    ("complaint-response", "Complaint response"),
                    ("feedback-acknowledgement", "Feedback acknowledgement"),
                    ("feedback-passed-on", "Feedback passed to staff"),
                ],
                max_length=40,
            ),
        ),
    ]
