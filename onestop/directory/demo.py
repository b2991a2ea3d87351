"""The directory's part of the demo council: the council, its partners, their staff, services,
teams, access points with their hours and the out-of-hours arrangement (idempotent).

The hours are those of Appendix 2 ("Customer Access Hours") of Aylesbury Vale District
Council's 2004 customer access review (``seeds/000_75687cec611e932b.txt``).  Phone numbers are
Ofcom's drama range, not the council's.  Everything here is for demonstration only.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.models import Nation, Organisation, OrganisationType, RoleCode, User
from onestop.directory import postcodes, services
from onestop.directory.lgsl import parse_lgsl_csv
from onestop.directory.models import (
    AccessPoint,
    AccessPointKind,
    AccessPointShare,
    LgslService,
    Service,
    Team,
    TeamMembership,
)

# Printed for the demo; never for real use.
DEMO_PASSWORD = "demo-only-not-secret"  # noqa: S105  # nosec B105
SAMPLE_LGSL = Path(__file__).resolve().parent / "data" / "lgsl-sample.csv"
# The demo council's postcode districts, with centres rounded for the demo (an operator loads
# the real ones from the ONS Postcode Directory: docs/portal.md).
DEMO_POSTCODE_DISTRICTS = Path(__file__).resolve().parent / "data" / "postcode-districts-demo.csv"

COUNCIL = "demo-council"
ORGANISATIONS = (
    (
        COUNCIL,
        "Aylesbury Vale District Council (demo)",
        OrganisationType.DISTRICT_COUNCIL,
        "Working with our partners across the Vale.",
    ),
    ("demo-county", "Buckinghamshire County Council (demo)", OrganisationType.COUNTY_COUNCIL, ""),
    ("demo-housing", "Vale Housing Association (demo)", OrganisationType.HOUSING_ASSOCIATION, ""),
)

# username, first name, last name, organisation, role, job title
USERS = (
    ("advisor", "Asha", "Patel", COUNCIL, RoleCode.ADVISOR, "Customer service advisor"),
    ("team.leader", "Tom", "Hughes", COUNCIL, RoleCode.TEAM_LEADER, "Team leader"),
    ("back.office", "Bea", "Osei", COUNCIL, RoleCode.BACK_OFFICE_OFFICER, "Revenues officer"),
    ("complaints", "Carys", "Evans", COUNCIL, RoleCode.COMPLAINTS_OFFICER, "Complaints officer"),
    ("manager", "Mark", "Lewis", COUNCIL, RoleCode.MANAGER, "Customer services manager"),
    ("councillor", "Cllr Jo", "Ward", COUNCIL, RoleCode.COUNCILLOR, "Ward councillor"),
    ("admin", "Ada", "Morgan", COUNCIL, RoleCode.ADMINISTRATOR, "Systems administrator"),
    ("auditor", "Aud", "Itor", COUNCIL, RoleCode.AUDITOR, "Internal auditor"),
    (
        "housing.advisor",
        "Hana",
        "Begum",
        "demo-housing",
        RoleCode.PARTNER_ADVISOR,
        "Housing advisor",
    ),
)

HOUSING = "demo-housing"
# A partner's staff who hold a second role: the association's advisor also works its cases
# (a small landlord's front and back office are the same people).
EXTRA_ROLES = {("housing.advisor", HOUSING): (RoleCode.BACK_OFFICE_OFFICER,)}

# service name, LGSL code (from the sample list), description, teams
SERVICES: tuple[tuple[str, int | None, str, tuple[str, ...]], ...] = (
    ("Customer Services", None, "The Customer Service Centre and area offices.", ("Advisors",)),
    ("Council Tax", 57, "Paying, discounts and moving home.", ("Council Tax team",)),
    ("Business Rates", 97, "National non-domestic rates.", ("Business Rates team",)),
    ("Housing Benefits", 167, "Claims and changes of circumstances.", ("Benefits team",)),
    ("Housing Needs", 186, "Homelessness advice and the housing register.", ("Housing Needs",)),
    ("Planning", 355, "Planning applications and the duty planning officer.", ("Duty planners",)),
    ("Environmental Health", 422, "Noise, pests and food safety.", ("Environmental Health",)),
    ("Waste and Recycling", 524, "Bin collections, bulky waste and recycling.", ()),
)
# The housing association's own services and teams.
HOUSING_SERVICES: tuple[tuple[str, int | None, str, tuple[str, ...]], ...] = (
    ("Tenancy Services", None, "Rent, tenancy changes and neighbour issues.", ("Tenancy team",)),
    ("Repairs", None, "Repairs to the association's homes.", ("Repairs team",)),
)

# username -> (service, team)
MEMBERSHIPS = (
    ("advisor", "Customer Services", "Advisors"),
    ("team.leader", "Customer Services", "Advisors"),
    ("back.office", "Council Tax", "Council Tax team"),
    ("manager", "Customer Services", "Advisors"),
)
HOUSING_MEMBERSHIPS = (
    ("housing.advisor", "Tenancy Services", "Tenancy team"),
    ("housing.advisor", "Repairs", "Repairs team"),
)

H = datetime.time
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)
MORNING_AND_AFTERNOON = ((H(9), H(13)), (H(14), H(16, 30)))

# name, kind, address, phone, {weekday: sessions}, shared with
ACCESS_POINTS: tuple[
    tuple[
        str,
        str,
        str,
        str,
        dict[int, Sequence[tuple[datetime.time, datetime.time]]],
        tuple[str, ...],
    ],
    ...,
] = (
    (
        "Customer Service Centre, Aylesbury",
        AccessPointKind.CUSTOMER_SERVICE_CENTRE,
        "66 High Street\nAylesbury",
        "01632 960001",
        {
            MONDAY: ((H(8, 45), H(17, 15)),),
            TUESDAY: ((H(8, 45), H(17, 15)),),
            WEDNESDAY: ((H(8, 45), H(17, 15)),),
            THURSDAY: ((H(9, 45), H(17, 15)),),
            FRIDAY: ((H(8, 45), H(16, 45)),),
        },
        (),
    ),
    (
        "Buckingham Area Office",
        AccessPointKind.AREA_OFFICE,
        "Buckingham",
        "01632 960002",
        {
            TUESDAY: MORNING_AND_AFTERNOON,
            THURSDAY: MORNING_AND_AFTERNOON,
            FRIDAY: ((H(9), H(13)), (H(14), H(16, 15))),
        },
        (),
    ),
    (
        "Winslow Area Office",
        AccessPointKind.AREA_OFFICE,
        "Winslow",
        "01632 960003",
        {MONDAY: MORNING_AND_AFTERNOON, WEDNESDAY: MORNING_AND_AFTERNOON},
        (),
    ),
    (
        "Switchboard",
        AccessPointKind.TELEPHONE,
        "",
        "01632 960000",
        {day: ((H(8, 30), H(17, 30)),) for day in range(5)},
        (),
    ),
    (
        # The joint access point in Buckingham the review worked towards with the county.
        "Buckingham One-Stop Shop",
        AccessPointKind.ONE_STOP_SHOP,
        "Buckingham Library\nBuckingham",
        "01632 960004",
        {day: ((H(9), H(17)),) for day in range(5)},
        ("demo-county", "demo-housing"),
    ),
)

# The offices' public e-mail and facilities (hearing loop, step-free access, interview rooms):
# name -> (e-mail, hearing loop, step-free, interview rooms).  The review's centre had
# interview rooms and a loop; the area offices are smaller.
FACILITIES: dict[str, tuple[str, bool, bool, int]] = {
    "Customer Service Centre, Aylesbury": ("customer.services@demo-council.example", True, True, 4),
    "Buckingham Area Office": ("", True, False, 1),
    "Winslow Area Office": ("", False, True, 1),
    "Buckingham One-Stop Shop": ("", True, True, 2),
}

# The services' public phone numbers and e-mail addresses (Ofcom's drama range, RFC 2606).
SERVICE_CONTACTS: dict[str, tuple[str, str]] = {
    "Customer Services": ("01632 960000", "customer.services@demo-council.example"),
    "Council Tax": ("01632 960010", "council.tax@demo-council.example"),
    "Business Rates": ("01632 960011", "business.rates@demo-council.example"),
    "Housing Benefits": ("01632 960012", "benefits@demo-council.example"),
    "Housing Needs": ("01632 960013", "housing@demo-council.example"),
    "Planning": ("01632 960014", "planning@demo-council.example"),
    "Environmental Health": ("01632 960015", "environmental.health@demo-council.example"),
    "Waste and Recycling": ("01632 960016", "waste@demo-council.example"),
    "Tenancy Services": ("01632 960020", "tenancy@demo-housing.example"),
    "Repairs": ("01632 960021", "repairs@demo-housing.example"),
}

STANDBY = services.OutOfHoursInput(
    title="Emergency standby",
    contact="The Message Pad standby service",
    phone="01632 960999",
    details="Emergencies only: housing maintenance, property services and environmental health.",
    starts_weekday=FRIDAY,
    starts_at=H(16, 45),
    ends_weekday=MONDAY,
    ends_at=H(8, 45),
)


# The Welsh words residents of the housing association (which offers Welsh) read beside the
# English: its services, and the one-stop shop the council shares with it.  Our Welsh: a
# council relying on it should have a translator review it, as for every shipped Welsh text.
WELSH_SERVICES: dict[str, tuple[str, str]] = {
    "Tenancy Services": (
        "Gwasanaethau Tenantiaeth",
        "Rhent, newidiadau i denantiaethau a materion cymdogion.",
    ),
    "Repairs": ("Atgyweiriadau", "Atgyweirio cartrefi'r gymdeithas."),
}
WELSH_ACCESS_POINTS: dict[str, tuple[str, str]] = {
    "Buckingham One-Stop Shop": ("Siop Un Stop Buckingham", "Llyfrgell Buckingham\nBuckingham"),
}


def load_welsh(housing: Organisation) -> None:
    """The Welsh names and descriptions of what the housing association's residents read
    (set once: what an administrator changed since stays)."""
    for service in Service.objects.for_organisation(housing).filter(
        name__in=sorted(WELSH_SERVICES), name_cy=""
    ):
        name_cy, description_cy = WELSH_SERVICES[service.name]
        services.update_service(
            service,
            by=None,
            name=service.name,
            description=service.description,
            lgsl_code=service.lgsl.code if service.lgsl else None,
            name_cy=name_cy,
            description_cy=description_cy,
        )
    shared = list(
        AccessPointShare.objects.unscoped("the demo names the offices shared with the partner")
        .filter(shared_with=housing)
        .values_list("organisation_id", "access_point_id")
    )
    points = AccessPoint.objects.filter(
        organisation_id__in=sorted({owner for owner, _point in shared}),
        pk__in=[point for _owner, point in shared],
        name__in=sorted(WELSH_ACCESS_POINTS),
        name_cy="",
    )
    for point in points:
        name_cy, address_cy = WELSH_ACCESS_POINTS[point.name]
        services.update_access_point(
            point,
            by=None,
            kind=point.kind,
            name=point.name,
            address=point.address,
            phone=point.phone,
            name_cy=name_cy,
            address_cy=address_cy,
        )


# --- loading ------------------------------------------------------------------------------
def load_demo() -> Organisation:
    """Load the directory's demo data and answer the council (run inside one transaction)."""
    if not LgslService.objects.exists():
        services.import_lgsl(parse_lgsl_csv(SAMPLE_LGSL.read_bytes()))
    with DEMO_POSTCODE_DISTRICTS.open("rb") as handle:
        services.import_postcode_districts(postcodes.read(handle).districts)
    organisations = {row[0]: _organisation(*row) for row in ORGANISATIONS}
    council = organisations[COUNCIL]
    for slug, organisation in organisations.items():
        # Each demo organisation's own mail domain (demo-council.example, ...), verified as a
        # system administrator would: its mailboxes' addresses must be on it.
        services.verify_mail_domain(organisation, by=None, domain=f"{slug}.example")
    for username, first, last, slug, role, title in USERS:
        _user(organisations[slug], username, first, last, role, title)
    _services(council, SERVICES, MEMBERSHIPS)
    _services(organisations[HOUSING], HOUSING_SERVICES, HOUSING_MEMBERSHIPS)
    for name, kind, address, phone, hours, shared_with in ACCESS_POINTS:
        point = AccessPoint.objects.for_organisation(council).filter(name=name).first()
        if point is None:
            point = services.create_access_point(
                council, by=None, kind=kind, name=name, address=address, phone=phone
            )
        for weekday, sessions in hours.items():
            for opens, closes in sessions:
                if not point.sessions.filter(weekday=weekday, opens=opens).exists():
                    services.add_opening_session(
                        point, by=None, weekday=weekday, opens=opens, closes=closes
                    )
        for slug in shared_with:
            services.share_access_point(point, by=None, organisation=organisations[slug])
        _facilities(point)
    for name in ("Switchboard", "Customer Service Centre, Aylesbury"):
        point = AccessPoint.objects.for_organisation(council).get(name=name)
        if not point.out_of_hours.filter(title=STANDBY.title).exists():
            services.save_out_of_hours(point, by=None, data=STANDBY)
    return council


def _facilities(point: AccessPoint) -> None:
    """The office's e-mail and facilities, set once (a demo loaded before they existed)."""
    email, loop, step_free, rooms = FACILITIES.get(point.name, ("", False, False, 0))
    wanted = (email, loop, step_free, rooms)
    held = (point.email, point.has_hearing_loop, point.has_step_free_access, point.interview_rooms)
    if wanted != held:
        services.update_access_point(
            point,
            by=None,
            kind=point.kind,
            name=point.name,
            address=point.address,
            phone=point.phone,
            email=email,
            has_hearing_loop=loop,
            has_step_free_access=step_free,
            interview_rooms=rooms,
        )


def _service_contacts(service: Service) -> None:
    phone, email = SERVICE_CONTACTS.get(service.name, ("", ""))
    if (service.phone, service.email) != (phone, email):
        services.update_service(
            service,
            by=None,
            name=service.name,
            description=service.description,
            lgsl_code=service.lgsl.code if service.lgsl else None,
            phone=phone,
            email=email,
        )


def _services(
    organisation: Organisation,
    rows: tuple[tuple[str, int | None, str, tuple[str, ...]], ...],
    memberships: tuple[tuple[str, str, str], ...],
) -> None:
    for name, code, description, teams in rows:
        service = Service.objects.for_organisation(organisation).filter(name=name).first()
        if service is None:
            service = services.create_service(
                organisation, by=None, name=name, description=description, lgsl_code=code
            )
        _service_contacts(service)
        for team_name in teams:
            if not service.teams.filter(name=team_name).exists():
                services.create_team(service, by=None, name=team_name)
    for username, service_name, team_name in memberships:
        team = Team.objects.for_organisation(organisation).get(
            service__name=service_name, name=team_name
        )
        user = User.objects.get(username=services.sign_in_name(username, organisation))
        if (
            not TeamMembership.objects.for_organisation(organisation)
            .filter(team=team, user=user)
            .exists()
        ):
            services.add_team_member(team, by=None, user=user)


def _organisation(slug: str, name: str, type: str, branding_text: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = services.create_organisation(
            by=None,
            slug=slug,
            name=name,
            type=type,
            nation=Nation.ENGLAND,
            branding_text=branding_text,
        )
    return organisation


def _demo_email(username: str, organisation: Organisation) -> str:
    """A demo address on a reserved domain (RFC 2606: ``.example`` reaches nobody)."""
    return f"{username}@{organisation.slug}.example"


def _user(
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    job_title: str,
) -> None:
    user = User.objects.filter(username=services.sign_in_name(username, organisation)).first()
    if user is None:
        user = services.create_staff(
            organisation,
            by=None,
            username=username,
            first_name=first_name,
            last_name=last_name,
            password=DEMO_PASSWORD,
            role_codes=[role],
            job_title=job_title,
            email=_demo_email(username, organisation),
        )
    if not user.email:
        # Staff are told of escalations by e-mail: a demo loaded before they had addresses.
        user.email = _demo_email(username, organisation)
        user.save(update_fields=["email"])
    wanted = {role, *EXTRA_ROLES.get((username, organisation.slug), ())}
    held = set(user.roles.values_list("code", flat=True))
    if not wanted <= held:
        services.set_staff_roles(user, by=None, role_codes=sorted(wanted | held))
    if user.must_change_password:
        # The demo's accounts share one published password, not a temporary one.
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    # Demo-only enrolment: real staff enrol their authenticator when they first sign in.
    TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
