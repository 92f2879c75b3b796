from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AccountProfile, AccountSecurity

User = get_user_model()


class AccountSecurityInline(admin.StackedInline):
    model = AccountSecurity
    can_delete = False
    readonly_fields = ("password_changed_at",)


class AccountProfileInline(admin.StackedInline):
    model = AccountProfile
    can_delete = False


class PortalUserAdmin(UserAdmin):
    """Django's user admin, where park admins create accounts; a password an admin sets (a new
    account or a reset) must be changed by its owner at the next login."""

    inlines = (AccountSecurityInline, AccountProfileInline)
    # Roles and switching an account on or off are set on the portal's users page, where each
    # change is written to the security log; here they are only shown.
    role_fields = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")
    fieldsets = tuple(
        (
            name,
            {
                **options,
                "description": _(
                    "Roles and switching the account on or off: on the portal's users page."
                ),
            },
        )
        if "groups" in options["fields"]
        else (name, options)
        for name, options in UserAdmin.fieldsets
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + self.role_fields if obj is not None else readonly

    def get_inlines(self, request, obj):
        # Not on the add page: save_model records the admin-set password there.
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            services.account_password_set_by_admin(user=obj, by=request.user)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        succeeded = (
            request.method == "POST"
            and response.status_code == 302
            and response["Location"] != request.get_full_path()
        )
        if succeeded:
            user = User.objects.get(pk=id)
            if user.has_usable_password():
                services.account_password_set_by_admin(user=user, by=request.user)
        return response


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
