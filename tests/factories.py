"""Factories for tests (no ``Model.objects.create`` in tests)."""

from __future__ import annotations

from typing import Any

import factory
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core import services as core_services
from onestop.core.middleware import SIGNED_IN_AT
from onestop.core.models import Nation, Organisation, OrganisationType, User

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.DISTRICT_COUNCIL
    nation = Nation.ENGLAND

    @factory.post_generation
    def roles(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            core_services.ensure_default_roles(obj)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Officer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


def organisation(**fields: Any) -> Organisation:
    created: Organisation = OrganisationFactory.create(**fields)
    return created


def staff(organisation: Organisation, *role_codes: str, **kwargs: Any) -> User:
    """Staff at ``organisation`` holding ``role_codes``, with a confirmed TOTP device."""
    user: User = UserFactory.create(organisation=organisation, **kwargs)
    user.save()
    core_services.set_user_roles(user, by=None, role_codes=list(role_codes))
    TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    return user


def sign_in_verified(client: Client, user: User) -> None:
    """Sign ``client`` in as ``user`` with the second factor verified, as the sign-in flow does."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SIGNED_IN_AT] = timezone.now().timestamp()
    session.save()
