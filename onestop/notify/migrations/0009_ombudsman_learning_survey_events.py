"""The satisfaction survey sent after a complaint closes and the reminder to staff before an
ombudsman's remedy is due (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0008_confidential_messages"),
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
                    ("complaint-survey", "Complaint satisfaction survey"),
                    ("ombudsman-remedy-due", "Ombudsman's remedy due (to staff)"),
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
                    ("complaint-survey", "Complaint satisfaction survey"),
                    ("ombudsman-remedy-due", "Ombudsman's remedy due (to staff)"),
                ],
                max_length=40,
            ),
        ),
    ]
