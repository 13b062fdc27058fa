"""The committee's recommendation lives in Recommendation rows now; a decided call must
carry its decision, and a call that was never opened is never public."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("nominations", "0003_carry_over_recommendations_and_publication")]

    operations = [
        migrations.RemoveField(
            model_name='call',
            name='recommendation',
        ),
        migrations.RemoveField(
            model_name='candidacy',
            name='recommended',
        ),
        migrations.RemoveField(
            model_name='candidacy',
            name='shortlisted',
        ),
        migrations.RemoveField(
            model_name='historicalcall',
            name='recommendation',
        ),
        migrations.RemoveField(
            model_name='historicalcandidacy',
            name='recommended',
        ),
        migrations.RemoveField(
            model_name='historicalcandidacy',
            name='shortlisted',
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'decided'), _negated=True), models.Q(('decided_at__isnull', False), models.Q(('rationale', ''), _negated=True)), _connector='OR'), name='call_decided_only_with_a_decision', violation_error_message='A call is decided only by recording the decision, with its rationale.'),
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'cancelled']), ('published_at__isnull', False), _connector='OR'), name='call_published_once_opened'),
        ),
    ]
