"""factory_boy factories with zh_CN data; valid codes and phones built with stdnum."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import ric, uscc

from registry.models import EmergencyContact, Enterprise, GridArea, Liaison
from registry.pinyin import name_pinyin

_serial = itertools.count(1)


def valid_uscc(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    body = f"91310115{n:09d}"
    return body + uscc.calc_check_digit(body)


def valid_mobile(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    return f"139{n % 100_000_000:08d}"


def valid_id_number(n: int = 1) -> str:
    body = f"31011519900101{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-2026")


class GridAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridArea

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试网格{n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(valid_uscc)
    name = factory.Faker("company", locale="zh_CN")
    name_pinyin = factory.LazyAttribute(lambda enterprise: name_pinyin(enterprise.name))
    registered_address = factory.Faker("street_address", locale="zh_CN")
    grid = factory.SubFactory(GridAreaFactory)


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Liaison

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Faker("name", locale="zh_CN")
    mobile = factory.LazyFunction(valid_mobile)
    started_on = factory.LazyFunction(lambda: datetime.date(2025, 1, 6))


class EmergencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Faker("name", locale="zh_CN")
    relation = "法定代表人配偶"
    phone = factory.LazyFunction(valid_mobile)
