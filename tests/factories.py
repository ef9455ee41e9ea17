"""factory_boy factories for every model. Defaults make a valid row at site 1."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from attendance.models import Attendance, Session
from checkins.models import CheckIn
from clients.models import Client, Episode
from dashboard.models import Decision
from goals.models import Goal, GoalRating, Worksheet
from programs.models import Site, Track
from screening.models import Analyte, Panel, Prescription, Screen, ScreenResult

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            for site in extracted:
                site.staff.add(self)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Site {o.code}")


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Evening {n}")
    weekdays = factory.LazyFunction(lambda: ["mon", "tue", "thu"])
    start_time = dt.time(18, 0)
    end_time = dt.time(21, 0)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    mrn = factory.Sequence(lambda n: f"TST-{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1990, 1, 31)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    client = factory.SubFactory(ClientFactory)
    # From 100 on: the services number a client's next episode 2, 3, … (clients.services), and
    # a test that mixes both must not depend on how many episodes earlier tests made.
    ref = factory.LazyAttributeSequence(lambda o, n: f"{o.client.mrn}-{n + 100}")
    site = factory.SubFactory(SiteFactory)
    track = factory.SubFactory(TrackFactory, site=factory.SelfAttribute("..site"))
    admitted_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(weeks=8))
    required_weekly_hours = 9


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    site = factory.SubFactory(SiteFactory)
    track = factory.SubFactory(TrackFactory, site=factory.SelfAttribute("..site"))
    date = factory.LazyFunction(timezone.localdate)
    start_time = dt.time(18, 0)
    duration_minutes = 180
    kind = Session.Kind.GROUP
    status = Session.Status.HELD


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    episode = factory.SubFactory(EpisodeFactory, site=factory.SelfAttribute("..session.site"))
    status = Attendance.Status.PRESENT
    minutes_attended = factory.LazyAttribute(
        lambda o: o.session.duration_minutes if o.status in Attendance.ATTENDED else 0  # an absence has none
    )


class AnalyteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Analyte
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"X{n}")
    name = factory.LazyAttribute(lambda o: f"Analyte {o.code}")
    screening_cutoff = 300


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Panel {n}")

    @factory.post_generation
    def analytes(self, create, extracted, **kwargs):
        if create and extracted:
            self.analytes.set(extracted)


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    client = factory.SubFactory(ClientFactory)
    medication = "buprenorphine"
    analyte = factory.SubFactory(AnalyteFactory, code="BUP")
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(weeks=8))


class ScreenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screen

    episode = factory.SubFactory(EpisodeFactory)
    collected_at = factory.Sequence(lambda n: timezone.now() - dt.timedelta(days=1, minutes=n))
    observed = True
    method = Screen.Method.POC
    outcome = Screen.Outcome.COMPLETED


class ScreenResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreenResult

    screen = factory.SubFactory(ScreenFactory)
    analyte = factory.SubFactory(AnalyteFactory)
    result = ScreenResult.Result.NEGATIVE


def monday(day=None):
    day = day or timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    episode = factory.SubFactory(EpisodeFactory)
    ref = factory.Sequence(lambda n: f"G{n}")
    area = Goal.Area.SUBSTANCE_USE
    statement = "Stay sober at work events"


class WorksheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worksheet

    episode = factory.SubFactory(EpisodeFactory)
    week = factory.LazyFunction(monday)


class GoalRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalRating

    worksheet = factory.SubFactory(WorksheetFactory)
    goal = factory.SubFactory(GoalFactory, episode=factory.SelfAttribute("..worksheet.episode"))
    rating = 3


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    episode = factory.SubFactory(EpisodeFactory)
    week = factory.LazyFunction(monday)
    author = factory.SubFactory(UserFactory)
    cravings = 2
    recommendation = CheckIn.Recommendation.CONTINUE


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    episode = factory.SubFactory(EpisodeFactory)
    kind = Decision.Kind.CONTINUE
    decided_on = factory.LazyFunction(timezone.localdate)
    decided_by = factory.SubFactory(UserFactory)
    rationale = "Reviewed at team meeting."
    evidence = factory.LazyFunction(dict)


class ConsentFactory(factory.django.DjangoModelFactory):
    """An active court/probation consent covering attendance and the screen summary."""

    class Meta:
        model = "consents.Consent"

    client = factory.SubFactory(ClientFactory)
    site = factory.SubFactory(SiteFactory)
    categories = factory.LazyFunction(lambda: ["attendance", "screen_summary"])
    recipient_name = "Officer Pat Reyes"
    recipient_organisation = "Richmond Adult Probation"
    recipient_address = "100 Main St, Richmond VA"
    purpose = "court_supervision"
    court_agency = "Richmond Circuit Court"
    case_number = "CR-26-0042"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    signature_method = "wet_scan"
    signed_by_name = factory.LazyAttribute(lambda o: o.client.full_name)
    created_by = factory.SubFactory(UserFactory)
