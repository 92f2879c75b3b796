"""The outreach API views: thin, with the pages' rules.

Reads start from outreach.selectors (scoped: a grid worker sees the attempts and tasks of
their own grids; anything else is a 404). Writes call outreach.services only. Any role
reads; admins, staff and grid workers log attempts and close tasks; reassigning is office
work (admins and staff).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.replica import reads_from_replica
from outreach import services
from outreach.api import serializers as s
from outreach.models import Task
from outreach.selectors import (
    AttemptFilters,
    TaskFilters,
    attempt_list,
    task_list,
    visible_tasks,
)
from registry import clock
from registry.api.permissions import RegistryOffice
from registry.api.serializers import ErrorSerializer
from registry.selectors import enterprise_detail

NO_SUCH_ENTERPRISE = _("No enterprise with this code that you can see.")
NO_SUCH_LIAISON = _("This liaison is not one of this enterprise's.")
NO_SUCH_USER = _("No such user.")

TASK_ID = OpenApiParameter(
    "pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The task's id."
)


def _errors(*codes: int) -> dict:
    answers = {
        400: "Invalid input; the fields are named.",
        401: "Not authenticated.",
        403: "Your role may not do this.",
        404: "No such task (or enterprise) that you can see.",
    }
    return {code: OpenApiResponse(ErrorSerializer, answers[code]) for code in codes}


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _enterprise(request, uscc: str):
    try:
        return enterprise_detail(user=request.user, uscc=uscc)
    except (Http404, DjangoValidationError) as error:
        raise ValidationError({"enterprise": [NO_SUCH_ENTERPRISE]}) from error


class ContactAttemptListView(generics.ListAPIView):
    serializer_class = s.ContactAttemptSerializer

    def get_queryset(self):
        query = _query(s.AttemptFilterSerializer, self.request)
        return attempt_list(user=self.request.user, filters=AttemptFilters(**query))

    @extend_schema(
        summary="The contact attempts of the enterprises you can see, newest first",
        parameters=[s.AttemptFilterSerializer],
        responses={200: s.ContactAttemptSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Log a contact attempt",
        description="Closes the open tasks it answers; reaching the liaison plans the next "
        "contact; verified=true counts as a verification of the liaison; outcome=left opens a "
        "handover task; follow_up_note with follow_up_due_on (and follow_up_assignee) opens a "
        "follow-up task with the attempt. The same rules as the page.",
        request=s.ContactAttemptCreateSerializer,
        responses={201: s.ContactAttemptSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        data = _validated(s.ContactAttemptCreateSerializer, request)
        enterprise = _enterprise(request, data.pop("enterprise"))
        liaison_id = data.pop("liaison", None)
        liaison = None
        if liaison_id is not None:
            liaison = enterprise.liaisons.filter(pk=liaison_id).first()
            if liaison is None:
                raise ValidationError({"liaison": [NO_SUCH_LIAISON]})
        attempt = services.contact_attempt_record(
            enterprise=enterprise,
            by=request.user,
            liaison=liaison,
            channel=data["channel"],
            outcome=data["outcome"],
            note=data.get("note", ""),
            occurred_at=data.get("occurred_at"),
            verified=data.get("verified", False),
            follow_up=_follow_up(request, data),
        )
        return Response(s.ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


def _follow_up(request, data: dict) -> services.FollowUp | None:
    """The follow-up the body names (any of its fields), else None. Its owner by username:
    absent, whoever logs the contact (as the form's default); null, the staff pool. The
    service checks the rest (what, when, whether the owner may hold the task)."""
    names = ("follow_up_note", "follow_up_due_on", "follow_up_assignee")
    if not any(name in data for name in names):
        return None
    assignee = request.user
    if "follow_up_assignee" in data:
        username = data["follow_up_assignee"]
        assignee = None
        if username is not None:
            assignee = get_user_model().objects.filter(username=username).first()
            if assignee is None:
                raise ValidationError({"follow_up_assignee": [NO_SUCH_USER]})
    return services.FollowUp(
        note=data.get("follow_up_note") or "",
        due_on=data.get("follow_up_due_on"),
        assignee=assignee,
    )


def _task_filters(request) -> TaskFilters:
    query = _query(s.TaskFilterSerializer, request)
    assignee = query.get("assignee", "")
    if assignee and assignee not in {"me", "pool"}:
        user = get_user_model().objects.filter(username=assignee).first()
        if user is None:
            raise ValidationError({"assignee": [NO_SUCH_USER]})
        assignee = str(user.pk)
    state = query.get("status", "open")
    return TaskFilters(
        assignee=assignee,
        kind=query.get("kind", ""),
        status="" if state == "all" else state,
        due=query.get("due", ""),
        enterprise=query.get("enterprise", ""),
    )


class TaskListView(generics.ListAPIView):
    serializer_class = s.TaskSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    def get_queryset(self):
        return task_list(user=self.request.user, filters=_task_filters(self.request))

    @extend_schema(
        summary="Tasks of the enterprises you can see, by due date",
        description="Open ones unless status says otherwise.",
        parameters=[s.TaskFilterSerializer],
        responses={200: s.TaskSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @reads_from_replica()
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _task(request, pk: int) -> Task:
    task = (
        visible_tasks(request.user)
        .select_related("enterprise", "assignee", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise NotFound
    return task


def _task_response(task: Task) -> Response:
    return Response(s.TaskSerializer(task, context={"today": clock.today()}).data)


class TaskDetailView(APIView):
    permission_classes = [RegistryOffice]  # reads: any role; PATCH (reassign): office

    @extend_schema(
        summary="One task",
        parameters=[TASK_ID],
        responses={200: s.TaskSerializer, **_errors(400, 401, 403, 404)},
    )
    def get(self, request, pk):
        return _task_response(_task(request, pk))

    @extend_schema(
        summary="Reassign an open task (admins and staff)",
        parameters=[TASK_ID],
        request=s.TaskPatchSerializer,
        responses={200: s.TaskSerializer, **_errors(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        task = _task(request, pk)
        data = _validated(s.TaskPatchSerializer, request)
        assignee = None
        if data["assignee"] is not None:
            assignee = get_user_model().objects.filter(username=data["assignee"]).first()
            if assignee is None:
                raise ValidationError({"assignee": [NO_SUCH_USER]})
        services.task_reassign(task=task, assignee=assignee, by=request.user)
        return _task_response(_task(request, pk))


class TaskCloseView(APIView):
    @extend_schema(
        summary="Close an open task (what was done goes in the note)",
        parameters=[TASK_ID],
        request=s.TaskCloseSerializer,
        responses={200: s.TaskSerializer, **_errors(400, 401, 403, 404)},
    )
    def post(self, request, pk):
        task = _task(request, pk)
        data = _validated(s.TaskCloseSerializer, request)
        services.task_close(task=task, by=request.user, note=data.get("note", ""))
        return _task_response(_task(request, pk))
