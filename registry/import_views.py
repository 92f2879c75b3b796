"""Spreadsheet pages: upload -> background check with progress -> preview -> confirm ->
background import with progress -> summary (admins); export and the blank template (any
role, scoped and masked by registry.access and registry.masking)."""

import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.addresses import client_address
from core.errors import ServiceError
from core.replica import reads_from_replica
from registry import clock
from registry.access import can_export, can_manage_users, require, visible_grid_areas
from registry.models import Enterprise, GridArea, ImportRun
from registry.roles import user_role
from registry.selection import SelectionRefused, selection_read
from registry.spreadsheet import runs
from registry.spreadsheet.exporting import invalid_rows_workbook, registry_export
from registry.spreadsheet.reading import EXTENSIONS, UnreadableFile, max_bytes
from registry.spreadsheet.template import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))
    mode = forms.ChoiceField(
        label=gettext_lazy("When some rows are invalid"),
        choices=ImportRun.Mode.choices,
        initial=ImportRun.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": max_bytes() // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def _admin_only(request):
    require(can_manage_users(request.user))


@require_http_methods(["GET", "POST"])
def import_list(request):
    _admin_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = runs.import_run_create(
            upload=form.cleaned_data["file"],
            mode=form.cleaned_data["mode"],
            by=request.user,
            language=translation.get_language() or "zh-hans",
        )
        return redirect("registry:import_run", pk=run.pk)
    runs.import_runs_expire()
    page = Paginator(ImportRun.objects.select_related("created_by"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/imports.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def confirm_label(preview: dict, *, mode: str, create_grids: bool) -> str:
    """What the preview's confirm button will do, with these choices, in words and numbers."""
    created, updated = preview.get("created", 0), preview.get("updated", 0)
    invalid = preview.get("invalid", 0)
    grids = len(preview.get("new_grids", []))
    if grids and not create_grids:
        in_new_grids = preview.get("new_grid_rows", {})
        created -= in_new_grids.get("created", 0)
        updated -= in_new_grids.get("updated", 0)
        invalid += in_new_grids.get("created", 0) + in_new_grids.get("updated", 0)
        grids = 0
    numbers = {"created": created, "updated": updated, "invalid": invalid, "grids": grids}
    if invalid and mode != ImportRun.Mode.SKIP_INVALID:
        return _("Write nothing: %(invalid)s rows are invalid (all or nothing)") % numbers
    if not created and not updated:
        return _("Finish: there is nothing to write")
    if grids and invalid:
        return (
            _(
                "Import: %(created)s new, %(updated)s updated, create %(grids)s grid areas, "
                "leave out %(invalid)s invalid rows"
            )
            % numbers
        )
    if grids:
        return _("Import: %(created)s new, %(updated)s updated, create %(grids)s grid areas") % (
            numbers
        )
    if invalid:
        return _(
            "Import: %(created)s new, %(updated)s updated, leave out %(invalid)s invalid rows"
        ) % (numbers)
    return _("Import: %(created)s new, %(updated)s updated") % numbers


def _choices(run: ImportRun, data) -> dict:
    """The preview's choices: as posted or asked for (the form re-renders its button when one
    changes), else the upload's mode and creating the new grid areas."""
    mode = data.get("mode", run.mode)
    if mode not in ImportRun.Mode.values:
        mode = run.mode
    create_grids = data.get("grids", "create") != "invalid"
    return {"mode": mode, "create_grids": create_grids}


@require_GET
def import_run(request, pk):
    _admin_only(request)
    runs.import_runs_expire()
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    context = {"run": run, "modes": ImportRun.Mode.choices, "Status": ImportRun.Status}
    if run.status == ImportRun.Status.CHECKED:
        choices = _choices(run, request.GET)
        context.update(choices, confirm_label=confirm_label(run.preview or {}, **choices))
    elif run.status == ImportRun.Status.REFUSED and run.file:
        summary = run.summary or {}
        if summary.get("created") or summary.get("updated"):
            context["valid_only_mode"] = ImportRun.Mode.SKIP_INVALID
            context["valid_only_label"] = confirm_label(
                summary, mode=ImportRun.Mode.SKIP_INVALID, create_grids=run.create_grids
            )
    if request.headers.get("HX-Request") == "true":
        return render(request, "registry/_import_run.html", context)
    return render(request, "registry/import_run.html", context)


@require_POST
def import_confirm(request, pk):
    _admin_only(request)
    run = get_object_or_404(ImportRun, pk=pk)
    if run.status == ImportRun.Status.REFUSED and (
        request.POST.get("mode") == ImportRun.Mode.SKIP_INVALID
    ):
        # A refused all-or-nothing run, imported again as its valid rows only.
        confirmed = runs.import_run_import_valid(run=run, by=request.user)
    else:
        choices = _choices(run, request.POST)
        confirmed = runs.import_run_confirm(run=run, by=request.user, **choices)
    if not confirmed:
        messages.error(request, _("This import cannot be confirmed any more."))
    return redirect("registry:import_run", pk=run.pk)


@require_POST
def import_cancel(request, pk):
    _admin_only(request)
    run = get_object_or_404(ImportRun, pk=pk)
    if runs.import_run_cancel(run=run, by=request.user):
        messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("registry:import_run", pk=run.pk)


@require_GET
def import_invalid_rows(request, pk):
    _admin_only(request)
    run = get_object_or_404(ImportRun, pk=pk)
    buffer = io.BytesIO()
    try:
        with run.file.open("rb") as handle:
            invalid_rows_workbook(source=handle, filename=run.filename, out=buffer)
    except (UnreadableFile, FileNotFoundError, ValueError):
        raise Http404 from None
    buffer.seek(0)
    name = f"import-{run.pk}-invalid-rows.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)


@require_GET
def import_enterprises(request, pk):
    _admin_only(request)
    run = get_object_or_404(ImportRun, pk=pk)
    codes = (run.summary or {}).get("affected", [])
    page = Paginator(codes, 50).get_page(request.GET.get("page"))
    enterprises = Enterprise.objects.filter(uscc__in=list(page.object_list)).select_related("grid")
    return render(
        request,
        "registry/import_enterprises.html",
        {"run": run, "page": page, "enterprises": enterprises.order_by("uscc")},
    )


@require_GET
def import_template(request):
    _admin_only(request)
    buffer = io.BytesIO()
    template_workbook(out=buffer, grids=list(GridArea.objects.values_list("name", flat=True)))
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="registry-template.xlsx", content_type=XLSX
    )


@require_GET
@reads_from_replica()
def registry_export_download(request):
    """The registry as the user may see it (grid workers: their grids); protected values
    masked unless the user holds the permission, and an unmasked export is logged."""
    require(user_role(request.user) is not None)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    grid = None
    if request.GET.get("grid"):
        grid = get_object_or_404(visible_grid_areas(request.user), code=request.GET["grid"])
    buffer = io.BytesIO()
    registry_export(
        out=buffer,
        fmt=fmt,
        user=request.user,
        grid=grid,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return _export_file(buffer, fmt, "registry")


def _export_file(buffer, fmt: str, name: str) -> FileResponse:
    buffer.seek(0)
    stamp = clock.local().strftime("%Y%m%d-%H%M")
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{name}-{stamp}.{fmt}",
        content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
    )


@require_POST
def registry_export_selection(request):
    """The enterprises chosen on the list (ticked, or all that match its filter), exported as
    the registry is: the user's scope, masked without the permission, logged. A ticked
    enterprise outside the user's scope refuses the whole export (403)."""
    require(can_export(request.user))
    try:
        selection = selection_read(user=request.user, query=request.POST)
    except SelectionRefused as error:
        return render(
            request,
            "403.html",
            {"reason": error.message, "back": reverse("registry:enterprises")},
            status=403,
        )
    except ServiceError as error:
        return HttpResponseBadRequest(error.message)
    fmt = "csv" if request.POST.get("format") == "csv" else "xlsx"
    buffer = io.BytesIO()
    registry_export(
        out=buffer,
        fmt=fmt,
        user=request.user,
        selection=selection.enterprises(request.user),
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return _export_file(buffer, fmt, "registry-selection")
