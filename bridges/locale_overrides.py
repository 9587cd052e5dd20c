"""Message ids of Django, allauth, django-countries and django-celery-beat that the portal translates itself.

Django merges the catalogues of LOCALE_PATHS after those of the installed apps, so an entry in
the project's catalogue wins over a package's own. `make catalogue` (makemessages) keeps an
entry only while its message id occurs in the project's sources: this module is where these
ids occur. Each list says why the package's German is not used. The ids must stay identical
to the packages' (tests/bridges/test_translations.py checks that each is still theirs).
"""

from django.utils.translation import gettext_noop

# allauth's German says "du"; the portal says "Sie" everywhere.
ALLAUTH_INFORMAL = [
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("Please type your current password."),
    gettext_noop("You cannot add more than %d email addresses."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("Username can not be used. Please use other username."),
    gettext_noop("Please select only one."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("You must type the same email each time."),
    gettext_noop("Do you really want to remove the selected email address?"),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\n"
        "account using email address:\n"
        "\n"
        "%(email)s\n"
        "\n"
        "However, an account using that email address already exists.  In case you have\n"
        "forgotten about this, please use the password forgotten procedure to recover\n"
        "your account:\n"
        "\n"
        "%(password_reset_url)s"
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Your password has been changed."),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password reset for your "
        "user account.\n"
        "It can be safely ignored if you did not request a password reset. Click the link below to reset "
        "your password."
    ),
    gettext_noop("In case you forgot, your username is %(username)s."),
    gettext_noop("Your email address is still pending verification."),
    gettext_noop(
        'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email '
        "confirmation request</a>."
    ),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("You have signed out."),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise "
        "contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  Please request a "
        '<a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Your password is now changed."),
    gettext_noop("Your phone number is still pending verification."),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an email address so you "
        "can receive notifications, reset your password, etc."
    ),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup "
        "process. If you do not see the verification email in your main inbox, check your spam folder. "
        "Please contact us if you do not receive the verification email within a few minutes."
    ),
    gettext_noop(
        "This part of the site requires us to verify that\n"
        "you are who you claim to be. For this purpose, we require that you\n"
        "verify ownership of your email address. "
    ),
    gettext_noop(
        "We have sent an email to you for\n"
        "verification. Please click on the link inside that email. If you do not see the verification "
        "email in your main inbox, check your spam folder. Otherwise\n"
        "contact us if you do not receive it within a few minutes."
    ),
    gettext_noop('<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'),
]

# allauth.mfa's app name on the admin's index: its German keeps the English abbreviation, its
# Arabic reads "Ministry of Foreign Affairs".
ALLAUTH_ADMIN_NAMES = [
    gettext_noop("MFA"),
]

# Django 5.2's German catalogues leave these empty (the admin's user and password pages show them).
DJANGO_UNTRANSLATED = [
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("Conflicting form data submitted. Please try again."),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Set password: %s"),
    gettext_noop("Reset password"),
    gettext_noop("Set password"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may "
        "still be able to authenticate using other backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
]

# django-countries names these countries without a German translation.
COUNTRIES_UNTRANSLATED = [
    gettext_noop("Democratic Republic of the Congo"),
    gettext_noop("Micronesia"),
    gettext_noop("South Georgia"),
    gettext_noop("Palestine"),
    gettext_noop("Saint Helena"),
    gettext_noop("Vatican City"),
    gettext_noop("Tanzania, the United Republic of"),
    gettext_noop("Bahamas (The)"),
    gettext_noop("Eswatini"),
    gettext_noop("Netherlands (Kingdom of the)"),
    gettext_noop("Türkiye"),
    gettext_noop("Naoero"),  # Nauru: the package's data and its catalogue spell it differently
]

# django-countries' German misspells these (the country lists of the position and company forms).
COUNTRIES_MISSPELT = [
    gettext_noop("Grenada"),  # "Granada"
    gettext_noop("Kiribati"),  # "Kirivati"
    gettext_noop("Papua New Guinea"),  # "Papua Neu Guinea"
    gettext_noop("Saudi Arabia"),  # "Saudi Arabien"
]

# django-celery-beat's German leaves these fuzzy or out (the admin's schedules and permissions show them).
CELERY_BEAT_UNTRANSLATED = [
    gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop("periodic task track"),
    gettext_noop("periodic task tracks"),
]
