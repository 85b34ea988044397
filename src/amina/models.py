"""Every table, imported in one place so that the metadata (and Alembic) sees them all."""

from amina.audit.models import AuditEvent, AuditHead
from amina.auth.models import AuthSession, Challenge, Device, RateLimitHit, RefreshToken
from amina.bookings.models import Booking, BookingClosure, BookingSlot
from amina.calendar.models import CalendarOverride, Outage
from amina.cases.models import Case, RegistryEntry
from amina.connectivity.models import ConnectivityOutage
from amina.console.models import DailyCount
from amina.db import Base
from amina.districts.models import DistrictArea, DistrictProgress, PersonDistrict
from amina.integrations.models import IntegrationEvent, ServiceKey
from amina.monitoring.models import (
    Checkin,
    DailyPresence,
    LocationReport,
    MonitoringState,
    ReportPartitionFold,
    ServiceHeartbeat,
    StepTaken,
)
from amina.mqtt.models import MqttAccount
from amina.notifications.models import (
    AppKey,
    Delivery,
    Notification,
    PushMessage,
    PushSubscription,
    SmsMessage,
)
from amina.nudge.models import NudgePreference
from amina.officers.models import Officer, OfficerSession, RecoveryCode
from amina.patents.models import Patent, PatentPayment
from amina.people.models import Document, Person
from amina.registration.models import Registration, RegistrationProof, Residence
from amina.traccar.models import TraccarDevice

__all__ = [
    "AppKey",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "Base",
    "Booking",
    "BookingClosure",
    "BookingSlot",
    "CalendarOverride",
    "Case",
    "Challenge",
    "Checkin",
    "ConnectivityOutage",
    "DailyCount",
    "DailyPresence",
    "Delivery",
    "Device",
    "DistrictArea",
    "DistrictProgress",
    "Document",
    "IntegrationEvent",
    "LocationReport",
    "MonitoringState",
    "MqttAccount",
    "Notification",
    "NudgePreference",
    "Officer",
    "OfficerSession",
    "Outage",
    "Patent",
    "PatentPayment",
    "Person",
    "PersonDistrict",
    "PushMessage",
    "PushSubscription",
    "RateLimitHit",
    "RecoveryCode",
    "RefreshToken",
    "Registration",
    "RegistrationProof",
    "RegistryEntry",
    "ReportPartitionFold",
    "Residence",
    "ServiceHeartbeat",
    "ServiceKey",
    "SmsMessage",
    "StepTaken",
    "TraccarDevice",
]
