users-count = { $count ->
    [one] { $count } user
   *[other] { $count } users
}

## users view

status-verification-queued = Verification email queued for { $email }.
status-connected-by-domain = { $email } is in a verified domain: connected at once, no email sent.
status-reset-queued = Password reset email queued for { $email }.
delete-connection-title = Delete connection
delete-connection-question = Delete the Visma Connect connection of { $user }? The user cannot log in with Visma Connect until a new address is entered and verified.
delete-connection-yes = Yes, delete the connection
status-connection-deleted = Deleted the Visma Connect connection of { $user }.
cancel = Cancel
close-waiting-title = Emails still waiting
close-waiting-text =
    { $count ->
        [one] { $count } email is
       *[other] { $count } emails are
    } still waiting to be sent (some may be retries after a mail server said "try later"). This window sends them; if you close it, they wait until HRM Users or serve runs again.
close-waiting-keep = Keep the window open
close-waiting-close = Close anyway
status-user-saved = Saved user { $user_id } { $name }.
status-user-deleted = Deleted user { $user }.
delete-user-changed-again = Delete the user all the same?
toolbar-import =
    Import
    .hint = Import the Employees/users spreadsheet
toolbar-export =
    Export
    .hint = Export users in the Employees/users template
toolbar-template = Download template
toolbar-verify-accounts =
    Verify accounts
    .hint = Send verification emails to everyone in the list who still waits
view-path = Users/Authorities > Users
toolbar-new =
    + New
    .hint = New user (Ctrl+N)
toolbar-save =
    Save
    .hint = Save (Ctrl+S)
toolbar-delete = Delete
toolbar-filter =
    Filter
    .hint = Filter by department, office, connection and activation
toolbar-about =
    About
    .hint = Version, licence, and where the data and logs are kept
toolbar-settings =
    Settings
    .hint = Email, verification link, verified domains, language
links-served-on = Links served on { $address }
demo-banner = Demo register: made-up users to try the program with, in a file of their own ({ $file }). Register › New… makes your own register.
demo-banner-shared = Demo register: made-up users to try the program with, in a shared register ({ $register }). Register › New… makes your own register.
damaged-users-banner = { $count ->
    [one] One user in the register cannot be read (damaged, or edited by hand) and is left out of the list; the rest works as usual. The command hrm-users db status counts such rows and the log names their keys.
   *[other] { $count } users in the register cannot be read (damaged, or edited by hand) and are left out of the list; the rest works as usual. The command hrm-users db status counts such rows and the log names their keys.
}
search-hint = Search (Ctrl+F)
search = Search
list-count =
    { $shown } of { $total ->
        [one] { $total } user
       *[other] { $total } users
    }
list-count-filtered =
    { $shown } of { $total ->
        [one] { $total } user
       *[other] { $total } users
    } (filtered)
filter-all = All
filter-activated = Activated
filter-not-activated = Not activated
filter-clear = Clear filters
list-name = Users
list-empty = The register is empty. Press + New to add a user.
list-no-match = No user matches the search and filters.
form-none-chosen = Choose a user in the list, or press + New.
form-none-chosen-keys = The Up and Down arrow keys move through the list.
unsaved-title = Unsaved changes
unsaved-question = You have changed { $user } without saving. Save the changes before you leave the form?
unsaved-save = Save changes
unsaved-discard = Discard changes
delete-user-title = Delete user
delete-user-question = Delete user { $user }? The connection to Visma Connect is removed too. This cannot be undone.

## user form

form-not-connected-warning = User is not connected to Visma Connect. A valid email address must be entered and verified for the user to be able to log in with Visma Connect.
form-smtputf8-warning = This address has letters outside A–Z before the @. Your mail server does not accept such addresses (Send test email found that it does not announce SMTPUTF8), so a verification email to it would fail. Use an address without them, or a mail server that takes them.
form-new-user = New user
form-tab-general = General
field-activated = User is activated
form-connection = Connection to Visma Connect
message-verification = Verification email
form-pending-none-sent = Pending verification: { $email } is saved; no verification email has been sent yet.
form-pending-sent =
    Pending verification: { $email } is saved; { $count ->
        [one] a verification email was sent { $last }.
       *[other] { $count } verification emails were sent, the last { $last }.
    }
form-send-again = Send again
form-suggestion = The user's Email is
form-use-address =
    Use this address
    .hint = Fills Email and Confirm email below; nothing is saved or sent yet
form-connected-hint = Connected: the user logs in with Visma Connect.
form-connected-by-link = Connected { $since } — the user confirmed the verification link.
form-connected-by-domain = Connected { $since } — the address is in a verified domain.
form-reset-password = Reset password
message-reset = Password reset email
form-verify-account =
    Verify account
    .hint = Save the address and send a verification email
delivery-retrying = { $what } to { $to } is waiting to be sent again (the server answered: { $reply }).
delivery-queued = { $what } to { $to } is queued ({ $at }).
delivery-sent-valid = { $what } sent to { $to } on { $sent } (link valid until { $until }).
delivery-sent-expired = { $what } sent to { $to } on { $sent }; its link no longer works.
delivery-sent = { $what } sent to { $to } on { $sent }.
delivery-failed = { $what } to { $to } could not be delivered: { $reason }
delivery-no-answer = no answer
delivery-cancelled = { $what } to { $to } was not sent: { $reason }
delivery-cancelled-reason = cancelled
form-history = History
form-history-empty = Nothing recorded yet.

## fields

field-user-id = User-ID *
field-alias-user-id = Alias user-ID
field-signature = Signature
field-card-tag-id = Card-/Tag-ID
field-external-reference = External reference
field-email = Email
field-first-name = First name
field-last-name = Last name
field-department = Department
field-office = Office
field-confirm-email = Confirm email

## connection status

status-not-connected = Not connected
status-pending = Pending
status-connected = Connected

## format



## conflict dialog

conflict-title = Changed by someone else
conflict-delete-anyway = Delete anyway
conflict-reload =
    Reload
    .hint = Show the user as saved now; your changes are dropped
conflict-save-anyway =
    Save anyway
    .hint = Save your form over the other change

## file chooser

chooser-file = File
chooser-browse = Browse…
chooser-no-dialog = No file dialog could be opened: { $error }
chooser-no-portal = No file dialog could be shown on this desktop (it needs xdg-desktop-portal or zenity). Type the file's path instead.
chooser-waiting = Waiting for the file dialog…

## icons

icon-verified = Verified
icon-warning = Warning

## table

yes = Yes
no = No
table-sort-by = Sort by { $column }
table-resize-column = Width of the { $column } column
form-resize = Width of the form
window-edge-right = Right edge of the window
window-edge-left = Left edge of the window
window-edge-bottom = Bottom edge of the window
window-edge-top = Top edge of the window
window-corner-bottom-right = Bottom right corner of the window
window-corner-top-right = Top right corner of the window
window-corner-bottom-left = Bottom left corner of the window
window-corner-top-left = Top left corner of the window

## columns

column-user-id = User-ID
column-name = Name
column-activated = Activated

## about

about-settings-unreadable = (the settings could not be read: { $error })
about-backups-shared = the PostgreSQL server's own backups
about-backups-file = { $folder } (the last { $count } imports)
about-title = About HRM Users
about-version = Version { $version }
about-what = The register of HRM users and their connection to Visma Connect.
about-licence = Licence: { $licence }
about-register = Register (users and settings)
about-backups = Backups
about-outbox = Folder outbox
about-logs = Logs
about-smtp-password = SMTP password
about-graphics = Graphics
about-copy =
    Copy
    .hint = Copy these details
close = Close

## register

connect-password-session-only = The password is used for this session only.
register-menu = Register
register-new = New register…
register-open = Open file…
register-connect = Connect to a shared register…
register-recent = Recent
register-new-title = New register
register-open-title = Open a register file
register-connect-title = Connect to a shared register
register-new-text = A new, empty register file. The register you have open now stays as it is.
register-open-text = An HRM Users register file (.db).
register-create = Create
register-open-button = Open
register-exists = { $path } exists already; choose a new name, or use Open file….
register-missing = { $path } does not exist.
connect-text = The register on the PostgreSQL server your organisation shares.
connect-url = URL
connect-user = User
connect-user-hint = as in the URL
connect-password = Password
connect-remember = Remember the password in the system keyring
connect-password-note = Leave the password empty to use PGPASSWORD or your .pgpass file. The password is never written to a file or a log.
connect-button = Connect
connect-bad-url = The URL starts with postgres:// (for example postgres://db.company.se/hrm?sslmode=verify-full).

## opening

open-opening = Opening the register…
open-failed = The register could not be opened
open-failed-next = Open another register, or correct this and start the program again.

## settings

settings-public-base-url = Public base URL
settings-link-lifetime = Link valid for (hours)
settings-login-page = Visma Connect login page
settings-bind-address = Bind address
settings-trusted-proxies = Trusted reverse proxies
settings-sender-name = Sender name
settings-sender-address = Sender address
settings-smtp-host = SMTP host
settings-smtp-port = Port
settings-smtp-user = User name
settings-smtp-timeout = Timeout (seconds)
settings-smtp-sessions = Parallel sessions
settings-outbox-folder = Outbox folder
settings-per-minute = Messages per minute (0: no limit)
settings-resend-after = Bulk: not again within (minutes)
settings-title = Settings
settings-unreadable = The settings could not be read: { $error }. The fields show the defaults, not your settings, and cannot be saved. Close this window and open it again.
settings-email = Email
settings-link = Verification link
settings-endpoint-enabled = Run the verification endpoint in this program
settings-security = Security
settings-verified-domains = Verified domains (one per line): addresses in them connect at once, without a verification email.
settings-messages = Messages
settings-message-language = Language of emails and pages
settings-placeholders = Placeholders: { $list }
settings-save =
    Save settings
    .disabled = The stored settings could not be read.
settings-delivered-by = Delivered by
settings-every-window = Every open window and serve
settings-serve-only =
    Only serve
    .hint = For a shared register with an always-on server
settings-send-by = Send by
settings-folder = Save to folder
settings-security-none = None (localhost only)
settings-password-unchanged = unchanged
settings-password-note = The password is kept in the system keyring, never in the register. Without a keyring, set { $variable }.
settings-folder-note = Each message is saved as an .eml file in { $folder }.
settings-test-to = Send test email to
settings-test-send = Send test email
settings-test-sent = Sent. The server answered: { $answer }
settings-test-not-sent = Not sent: { $answer }
settings-test-fix-first = correct the settings that say what is wrong (in red) first.
settings-saved = Settings saved.
settings-reading = Reading the settings…
settings-not-saved = Not saved: correct the settings that say what is wrong (in red).
settings-subject = Subject
settings-text = Text
settings-window = Window
settings-language = Language
settings-follow-system = Follow the system
settings-theme = Theme
settings-theme-light = Light
settings-theme-dark = Dark
settings-window-note = Applies at once, for you on this computer; the settings below are the register's.

## bulk counts

bulk-line-send = will be sent a verification email
bulk-line-already-queued = of them already queued by an earlier send (delivered now, not sent twice)
bulk-line-connect = will connect at once (verified domain, no email)
bulk-line-skipped-connected = skipped — already connected
bulk-line-skipped-no-address = skipped — no saved address
bulk-line-skipped-invalid = skipped — address invalid or shared with another user
bulk-line-skipped-not-activated = skipped — user not activated
bulk-line-skipped-recent = skipped — sent a verification less than { $minutes } minutes ago

## verify accounts

bulk-results-title = Verify accounts: results
bulk-count-failed = The selection could not be counted: { $error }
bulk-counting = Counting who gets a verification email…
bulk-in-selection = { $users } in the selection:
bulk-send-again = Send again to users sent a verification recently
bulk-send-button =
    { $count ->
        [one] Send { $count } verification email
       *[other] Send { $count } verification emails
    }
bulk-sending-title = Sending verification emails
bulk-progress-not-sent = Sent { $sent } · Failed { $failed } · Not sent { $not_sent } · Remaining { $remaining }
bulk-progress = Sent { $sent } · Failed { $failed } · Remaining { $remaining }
bulk-connected-at-once = Connected at once: { $count }
bulk-cancelling = Cancelling: emails not yet handed to the mail server will not be sent; waiting for the server's answer to those already handed over.
bulk-cancel-hint = Stop: emails not yet handed to the mail server are not sent
bulk-stopped = The send stopped: { $error }
bulk-results-summary = Sent { $sent } · Failed { $failed } · Connected at once { $connected } · Skipped { $skipped } · Not sent { $not_sent } · Waiting { $waiting }
column-visma-email = Email Visma Connect
column-result = Result
column-details = Details
bulk-possible-duplicate = { $details } (possible duplicate)

## save as

save-as-save-file = Save file
save-as-saved = Saved to { $path }

## results

bulk-save-xlsx = Save as xlsx…
not-saved = Not saved: { $error }

## import report

import-save-report = Save report…

## import and export

sheet-rows-so-far = { $stage }: { $done } rows so far
sheet-rows-of = { $stage }: { $done } of { $total } rows
sheet-stage-reading = Reading the file
sheet-stage-checking = Checking every row
sheet-stage-importing = Importing
import-choose = Choose an Employees/users file (xlsx, xlsm, xls, ods or csv). Nothing changes until you have seen what the import will do.
import-read = Read file
import-nothing = Nothing was imported. { $error }
import-committing-shared = Importing, in one transaction.
import-committing = Backing up the register and importing, in one transaction.
import-cancel-hint = Stop: the register stays exactly as it was
import-done = Imported: { $created } created, { $updated } updated.
import-done-backup = Imported: { $created } created, { $updated } updated. A backup of the register was saved as { $backup }.
import-cancelled = The import was cancelled; nothing was imported.
template-text = An empty Employees/users template with the column Email Visma Connect.
template-save = Save template
template-saved = Template saved to { $path }.
export-selection = The current selection ({ $users })
export-everyone = Everyone ({ $users })
export-type-note = The file type follows the name: .xlsx or .csv.
export-done = Exported { $users } to { $path }.
export-cancelled = The export was cancelled; no file was written.
import-counts = To create: { $create } · To update: { $update } · Unchanged: { $unchanged } · Rejected rows: { $rejected } · Notes: { $notes }
import-ignored-columns = Ignored columns (not in the template): { $columns }
import-pending-note = Email Visma Connect is saved as pending verification; the import sends nothing.
import-changes-only = Changes only (hide unchanged rows without notes)
import-column-row = Row
import-column-status = Status
import-column-what = What changes, and why

## import button

import-button =
    { $count ->
        [one] Import { $count } user
       *[other] Import { $count } users
    }


## verify accounts: email only

bulk-email-only =
    { $count ->
        [one] { $count } user has an Email but no Visma Connect address.
       *[other] { $count } users have an Email but no Visma Connect address.
    }
bulk-use-email =
    Use their Email as their Visma Connect address
    .hint = Saves each one's Email as the Visma Connect address, pending verification; nothing is sent until you press Send
bulk-emails-refused =
    { $count ->
        [one] { $count } Email could not be used (it belongs to another user, or is not a valid address); that user is still skipped.
       *[other] { $count } Emails could not be used (they belong to other users, or are not valid addresses); those users are still skipped.
    }


## history

audit-user-created = User created
audit-user-updated = User changed
audit-user-deleted = User deleted
audit-address-saved = Address saved, pending verification
audit-address-removed = Pending address removed
audit-register-generated = Demo register generated
audit-verification-queued = Verification email queued
audit-message-delivered = Email delivered to the mail server
audit-message-failed = Email could not be delivered
audit-link-confirmed = Link confirmed: connected
audit-connected-by-domain = Connected at once: verified domain
audit-reset-queued = Password reset email queued
audit-connection-deleted = Connection deleted
audit-settings-changed = Settings changed
audit-saved-in-folder-to = Email to { $to } saved in the outbox folder (not sent: the folder transport)
audit-saved-in-folder = Email saved in the outbox folder (not sent: the folder transport)
audit-delivered-to = Email to { $to } delivered to the mail server
audit-connection-deleted-address = Connection deleted ({ $address })

## email errors

email-empty = Enter an email address.
email-no-at = An email address has exactly one @, as in name@company.se.
email-empty-local = The part before @ is missing.
email-local-too-long = The part before @ is longer than 64 characters.
email-bad-local = The part before @ has a character that is not allowed, or a misplaced dot.
email-domain-without-dot = The domain after @ needs a dot, as in company.se.
email-bad-domain = The domain after @ is not a valid domain name.
email-too-long = The address is longer than 254 characters.
email-short-top-level = The domain ends in a top-level domain of one letter; top-level domains have at least two, as in .se.

## user id errors

user-id-empty = User-ID is required.
user-id-too-long = User-ID is longer than 50 characters.
user-id-bad-character = User-ID cannot contain line breaks or control characters.

## field errors

field-too-long = { $field } is longer than 200 characters.
field-control-characters = Line breaks and control characters are not allowed.
field-confirmation-mismatch = The confirmation does not match the email address.

## skip reasons

skip-already-connected = already connected
    .sentence = The user is already connected to Visma Connect.
skip-no-address = no saved address
    .sentence = Enter and confirm an email address first.
skip-not-activated = user not activated
    .sentence = The user is not activated: activate the user first.
skip-recently-sent = sent a verification recently
    .sentence = A verification email was sent recently.

## import rows

import-activated-yes = User is activated: yes
import-activated-no = User is activated: no
import-no-user-id-column = The file has no User-ID column (the first row must hold the column names, one of them User-ID).
import-duplicate-column = The column { $column } appears twice.
import-user-id-empty = User-ID is empty.
import-user-id-twice = User-ID { $user_id } is also on row { $row }; only the first is imported.
import-visma-pending = Email Visma Connect: { $address } (pending verification)
import-email-invalid = Email { $email } is not a valid address: ignored.
import-activated-invalid = User is activated "{ $cell }" is not yes or no: ignored.
import-visma-invalid = Email Visma Connect { $cell } is not a valid address: ignored.
import-already-connected = Already connected to Visma Connect as { $current }: the address stays. Delete the connection first to change it.
import-visma-taken = Email Visma Connect { $email } belongs to user { $user_id }: not applied.
import-visma-twice = Email Visma Connect { $email } is also given to user { $first } in this file: not applied.
import-idp-follows = The user is connected: their account in the identity provider follows the change.

## saving

save-invalid = The user was not saved: correct the fields that say what is wrong (in red).
user-not-found = This user no longer exists in the register; it may have been deleted elsewhere.
changed-elsewhere = { $by } changed this user at { $when } while the form was open.
changed-elsewhere-fields = { $by } changed { $fields } at { $when } while the form was open; saving would overwrite it.
address-taken = This address already belongs to user { $user_id }.

## verification

user-not-connected = The user is not connected to Visma Connect.

## results

outcome-sent = sent
outcome-failed = failed
outcome-waiting = waiting
outcome-connected = connected at once
outcome-skipped = skipped
outcome-not-sent = not sent (cancelled)

## register errors

store-not-a-database = { $register } is not an HRM Users register (it is not an SQLite database). Choose another file; this one was left untouched.
store-foreign-database = { $register } is a database of another program, not an HRM Users register. Choose another one; this one was left untouched.
store-too-new = { $register } was written by a newer version of HRM Users (register version { $found }, this program knows up to { $supported }). Update the program; the register was left untouched.
store-crossed = The register was changed by another program at the same moment, so nothing was saved. Try again.
store-locked = The register is locked by another program. Close the other program (or wait for it to finish) and try again.
store-damaged = The register is damaged ({ $detail }). Restore it from a backup; nothing was changed.
store-io = Cannot open the register at { $path }: { $error }
store-bad-location = The shared register's address is not usable: { $detail }
store-unreachable = Cannot reach the shared register at { $register }: { $detail }. Check the address, the user and the password, and that the server is running.
store-refused = The shared register refused this: { $detail }. Your database login may not do it; nothing was changed.
store-sqlite = The register could not be read or written: { $error }
store-postgres = The shared register could not be read or written: { $error }

## spreadsheet errors

sheet-unknown-type = { $detail } is not a file type HRM Users reads: use xlsx, xlsm, xls, ods or csv.
sheet-io = The file cannot be read: { $detail }
sheet-not-a-spreadsheet = The file is not a spreadsheet of the kind its name says ({ $detail }).
sheet-password = The workbook is password-protected. Save it without a password and import that copy.
sheet-damaged = The file is damaged or incomplete: { $detail }
sheet-too-big = The file is too big to import: { $detail }
sheet-empty = The file is empty: it has no header row.
sheet-cancelled = Reading was cancelled.

## writing

sheet-write-xlsx = The workbook could not be written: { $error }
sheet-write-file = The file could not be written: { $error }

## mail

mail-folder = The outbox folder { $path } cannot be created: { $error }
mail-smtp-settings = The SMTP settings are not usable: { $detail }

## keyring

mail-keyring = The password could not be stored in the system keyring ({ $detail }). Set the environment variable HRM_USERS_SMTP_PASSWORD instead.

## endpoint

endpoint-bind = The verification endpoint cannot listen on { $address }: { $error }. Choose another bind address in Settings.
endpoint-start = The verification endpoint could not start: { $error }

## presets

settings-locked-hint = Set by your IT administrator for this computer
settings-locked-note = Set by your IT administrator for this computer ({ $file }), and locked here: { $names }.

## bulk results details

bulk-detail-verified-domain = verified domain
bulk-detail-adopted = queued by an earlier send, not made again; { $words }
bulk-detail-cancelled-before = the send was cancelled before this user
status-connection-deleted-invited = Deleted the Visma Connect connection of { $user }. Preparation phase: an invitation to link again on My profile › Security and login is queued to { $address }.
status-connection-deleted-no-email = Deleted the Visma Connect connection of { $user }. Preparation phase, but { $user } has no Email to invite: enter the new Visma Connect address yourself.
message-relink = Invitation to link again
audit-relink-invitation-queued = Invitation to link again queued (preparation phase)
audit-relink-requested = The employee entered a new address on Security and login
audit-new-link-requested = The employee asked for a new link
settings-visma-connect = Visma Connect
settings-phase = Phase
settings-phase-preparation = Preparation
settings-phase-live = Live
settings-phase-note = Preparation: Delete connection also emails the user (to their Email) an invitation to link again themselves on My profile › Security and login. Live: you enter and verify the new address.
field-employment-ends = Employment ends
    .hint = The last day of employment, as YYYY-MM-DD. Some days after it (Settings › Visma Connect) the Visma Connect connection is removed.
field-date-invalid = Enter a date as YYYY-MM-DD, such as 2027-01-31.
import-date-invalid = Employment ends "{ $cell }" is not a date (YYYY-MM-DD): kept as it was.
audit-leaver-connection-removed = Connection removed: employment ended
audit-leaver-connection-removed-details = Connection removed ({ $address }): employment ended { $ended }
settings-remove-after = Remove the connection (days after Employment ends)
permission-users-read = Users view: read
permission-users-edit = Users view: edit
permission-verify-accounts = Verify accounts
permission-import-export = Import and export
permission-settings = Settings
permission-roles = Roles
role-system-administrator = System administrator
    .description = Everything: users, Verify accounts, import and export, settings and roles.
role-hr-administrator = HR administrator
    .description = The Users view, Verify accounts, import and export.
role-read-only = Read only
    .description = Sees users; changes nothing.
assignment-dates-reversed = Valid to is before Valid from.
assignment-unknown-role = There is no role { $role }.
assignment-last-system-administrator = The register must keep a System administrator: this change would remove the last one.
assignment-first-administrator-not-you = No one is System administrator yet: the first must be you, or you would lose your own rights at once. Give yourself the role first (Make me System administrator), then give it to others.
assignment-beyond-your-own = You cannot give the role { $role }: it gives { $permission } beyond what you hold yourself (your roles, within your departments and offices).
audit-roles-changed = Roles changed
audit-roles-now = Roles changed; now: { $roles }
audit-roles-none = Roles changed; now none
form-tab-authorisations = Authorisations
authorisations-note = The user's roles decide what they may do in HRM Users. Changes are saved with Save (Ctrl+S).
authorisations-none = No roles.
authorisations-remove = Remove
    .hint = Take the role { $role } from the user (when you save)
authorisations-add = Add role
authorisations-choose = Choose…
authorisations-valid-from = Valid from
authorisations-valid-to = Valid to
authorisations-departments = Departments
authorisations-offices = Offices
authorisations-all = all the role allows (comma-separated to limit)
status-form-not-saved = Nothing was saved: { $reason }
toolbar-go-to-roles = Go to roles
    .hint = Users/Authorities › Roles: what each role permits and who holds it (the user shown is marked)
roles-title = Users/Authorities › Roles
roles-marked = Underlined: the roles of { $user }.
roles-list = Roles
roles-built-in = Built-in role: it cannot be changed or deleted; Copy makes one you can change.
roles-all = all
roles-permissions = Permissions
roles-members = { $count ->
    [one] 1 member
   *[other] { $count } members
}
roles-everywhere = all departments and offices
roles-always = always
operator-missing-permission = You ({ $login }, user { $user_id }) do not have the permission { $permission }. Ask a System administrator to give you a role with it.
operator-not-a-user = You ({ $login }) are not an HRM user with Alias user-ID { $login }, so you do not have the permission { $permission }. Ask a System administrator.
operator-no-administrator = No one is System administrator yet, so everyone may do everything. Make yourself System administrator first; then give roles to others on the Authorisations tab.
roles-not-an-hrm-user = You ({ $login }) are not an HRM user: no user has { $login } in the field that names who is working (Settings › Security). Make that user first.
roles-recover-not-owner = Only the register's owner may recover the System administrator role: the operating-system account that owns the register file, or the database role that owns the shared register's tables.
roles-recovered = { $user_id } ({ $login }) is System administrator again.
make-me-system-administrator = Make me System administrator
    .hint = Gives you the System administrator role. The first System administrator must be the person working; then you can give roles to others.
status-made-system-administrator = You ({ $user_id }) are now System administrator: roles are in force from now on.
audit-access-refused = Refused: missing permission
audit-access-refused-permission = Refused: missing permission { $permission }
dimension-cost-centre = Cost centre
dimension-project = Project
dimension-department = Department
audit-right-no-dimension = Choose an account dimension.
audit-right-no-code = Enter a code.
audit-right-range-reversed = The range { $from }–{ $to } ends before it starts.
audit-right-unknown-code = { $dimension } has no code { $code }.
audit-right-bad-limit = The amount limit { $limit } is not a whole number.
codes-file-missing-column = The file has no column { $column } (Dimension, Code and Name are needed).
codes-file-empty-cell = Row { $row } has no dimension or no code.
audit-audit-rights-changed = Audit of account code changed
audit-account-codes-imported = Account codes imported
audit-right-row = Row { $row }: { $error }
form-tab-audit = Audit of account code
audit-tab-note = What the user may audit (attest) of account codings: a code or a range of codes per account dimension, with an amount limit if any. Saved with Save (Ctrl+S).
audit-tab-none = Nothing to audit.
audit-tab-dimension = Account dimension
audit-tab-code = Code (from)
audit-tab-to-code = To code
    .hint = empty: the one code
audit-tab-limit = Amount limit
    .hint = empty: no limit
audit-tab-add = Add row
operator-outside-limits = You ({ $login }) have the permission { $permission } only for other departments or offices, not for { $department } / { $office }.
skip-employment-ended = employment has ended
    .sentence = This user's employment has ended (Employment ends): no verification email is sent.
bulk-line-skipped-employment-ended = Skipped: employment has ended
settings-operator-field = The person at the window is the user whose field equals their login name:
settings-operator-user-id = User-ID
settings-operator-email = Email (before the @)
delete-connection-invites = Preparation phase: an invitation to link again on My profile › Security and login goes to { $address }.
delete-connection-no-email = Preparation phase, but the user has no Email: you will need to enter the new address yourself.
roles-new = New role
    .hint = Make a role with the permissions you choose
roles-copy = Copy
    .hint = Make a new role from the chosen one
roles-copy-name = Copy of { $name }
roles-delete = Delete role
    .hint = Delete the chosen role (not while anyone holds it)
roles-delete-question = Delete the role { $name }?
roles-delete-yes = Yes, delete it
roles-deleted = The role { $name } is deleted.
roles-saved = The role { $name } is saved.
roles-unsaved = Save or undo the role's changes first.
roles-name = Name
roles-description = Description
roles-limits-note = Departments and offices: separate with commas; empty for all.
roles-departments-of = Departments where { $permission } applies
roles-offices-of = Offices where { $permission } applies
roles-save = Save role
roles-undo = Undo changes
role-name-missing = Enter the role's name.
role-name-too-long = The name may be at most { $max } characters.
role-name-taken = There is already a role called { $name }.
role-no-permission = Choose at least one permission.
role-built-in = Built-in roles cannot be changed or deleted; copy one instead.
role-assigned = { $count ->
    [one] One user holds the role: take it away from them first.
   *[other] { $count } users hold the role: take it away from them first.
}
audit-role-saved = Role saved
audit-role-deleted = Role deleted
audit-idp-pushed = Identity provider account updated
audit-idp-failed = Identity provider push failed
skip-outside-limits = outside your departments and offices
    .sentence = Your roles do not permit Verify accounts for this user's department and office.
bulk-line-skipped-outside-limits = Skipped: outside your departments and offices
sheet-problem = { $sheet }, row { $row }: { $message }
sheet-missing-column = the sheet has no column { $column }; nothing in it is imported
sheet-role-id-empty = the Role column is empty
sheet-unknown-permission = "{ $permission }" is not a permission (Users view: read, Users view: edit, Verify accounts, Import and export, Settings, Roles)
sheet-unknown-user = there is no user with User-ID { $user_id }; their rows are not imported
sheet-authorisations-summary = Authorisations: { $roles } roles saved, { $assignments } users' roles set, { $audit } users' Audit of account code rows set
sheet-authorisations-refused = { $sheet }: not imported: { $reason }
import-button-changes =
    { $count ->
        [one] Import { $count } change
       *[other] Import { $count } changes
    }
audit-tab-import-codes = Import account codes…
    .hint = Read the register's account dimensions and codes from a spreadsheet (columns Dimension, Code, Name)
codes-import-title = Import account codes
codes-import-text = A spreadsheet with the columns Dimension, Code and Name (also Kod, Namn). A code already in the register takes the file's name; nothing is removed.
codes-import-button = Import codes
import-backup-shared = Backup: this is a shared register, so the PostgreSQL server's own backups apply; the program makes no copy. The import is all or nothing.
import-backup-file = Backup: a copy of the register file is saved beside it before importing. The import is all or nothing.
import-backup-failed = The register could not be backed up before the import, so nothing was imported: { $error }
task-failed = The work ({ $task }) failed unexpectedly; nothing more was done. The log has the details.
task-not-started = The work ({ $task }) could not be started: { $error }
sheet-stage-exporting = Exporting
sheet-stage-saving = Saving the file
scim-off = Provisioning to the identity provider is off, or no SCIM endpoint is set (Settings › Identity provider).
scim-no-token = No SCIM token: save it in Settings › Identity provider (kept in the keyring), or set { $variable } for serve and scripts.
scim-no-secret = No OAuth client secret: save it in Settings › Identity provider (kept in the keyring), or set { $variable }.
idp-gave-up = gave up after { $attempts } tries: { $error }
idp-test-failed = The SCIM server could not be read: { $error }
idp-yes = yes
idp-no = no
idp-features = The server answers. PATCH: { $patch }, filter: { $filter }, bulk: { $bulk }, ETag: { $etag }, User schema: { $schema }.
form-idp-active = Account in the identity provider: active since { $since }
form-idp-waiting = Account in the identity provider: waiting to be sent
form-idp-deactivated = Account in the identity provider: deactivated { $since }
form-idp-none = Account in the identity provider: none
form-idp-failed = Account in the identity provider: failed: the server said { $reason }
form-idp-try-again = Try again
status-idp-try-again = The account is sent to the identity provider again.
settings-idp = Identity provider
settings-idp-note = When on, each connected user's account in the identity provider (Visma Connect, Entra ID, Keycloak or any SCIM 2.0 server) is made active, kept up to date, and closed when the connection goes.
settings-idp-provisioning = Provisioning
settings-idp-off = Off
settings-idp-scim = SCIM 2.0
settings-idp-base-url = SCIM endpoint
settings-idp-token-url = OAuth token endpoint (optional)
settings-idp-client-id = OAuth client id
settings-idp-secret = Token or client secret
settings-idp-secret-hint = kept in the keyring
settings-idp-on-disconnect = When the connection goes
settings-idp-deactivate = Deactivate the account
settings-idp-delete = Delete the account
settings-idp-test = Test connection
settings-idp-sync = Sync now
    .hint = Compares the connected users with the provider's accounts and repairs the differences (the first sync is the initial load)
settings-idp-keyring = The token could not be kept in the keyring: { $error }
bulk-detail-with-idp = { $details }; account in the identity provider: { $state }
idp-state-none = none
idp-state-waiting = waiting to be sent
idp-state-active = active
idp-state-deactivated = deactivated
idp-state-failed = failed
lose-rights-title = You will lose your own rights
lose-rights-text = After this Save you will no longer have: { $lost }. Only someone who has them can give them back. Save anyway?
lose-rights-save = Save anyway
bulk-nothing-to-do-button = Nothing to send
bulk-connect-button =
    { $count ->
        [one] Connect { $count } at once
       *[other] Connect { $count } at once
    }
bulk-send-and-connect-button = Send { $send } and connect { $connect } at once
settings-time-zone = Time zone of role dates (e.g. Europe/Stockholm)
form-loading = Loading…
form-saving = Saving…
form-working = Working…
status-still-working = The register is still busy with the last change; try again in a moment.
status-register-not-answering = The shared register has not answered for { $seconds } s (the network or the server); the window keeps working and the form fills in when it answers.
status-word-error = Error:
status-word-done = Done:
stored-not-sent-verified-domain = not sent: connected by verified domain
stored-not-sent-newer-verification = not sent: a newer verification replaced it
stored-not-sent-deactivated = not sent: the user was deactivated
stored-not-sent-connection-deleted = not sent: the connection was deleted
stored-not-sent-newer-invitation = not sent: a newer invitation replaced it
stored-not-sent-changed-meanwhile = not sent: the address was changed, connected or deactivated meanwhile
stored-not-sent-no-longer-connected = not sent: the user is no longer connected with this address
stored-not-sent-user-changed-meanwhile = not sent: the user was connected, deactivated or their Email changed meanwhile
stored-not-sent-user-deleted = not sent: the user was deleted
stored-not-sent-employment-ended = not sent: the user's employment has ended
stored-not-sent-cancelled = not sent: the send was cancelled
stored-not-sent-import = not sent: the address was changed by an import
stored-not-sent-not-recorded = not sent: the register could not record that it was being sent
stored-actor-outbox-worker = outbox worker
stored-actor-employee-link = employee (verification link)
stored-actor-employee-relink = employee (Security and login)
stored-actor-employee-new-link = employee (new link request)
stored-actor-leaver-rule = leaver rule
stored-actor-idp-push = identity provider push
stored-saved-as = saved as { $path }
user-id-taken = User-ID { $user_id } is already used by another user.
import-status-create = create
import-status-update = update
import-status-unchanged = unchanged
import-status-rejected = rejected
about-keyring-windows = Windows Credential Manager
about-keyring-macos = the macOS Keychain
about-keyring-linux = the Secret Service (GNOME Keyring or KWallet), or HRM_USERS_SMTP_PASSWORD

# Why a setting's value was refused (Settings and `config set`).
setting-error-smtputf8-checked = expected empty, or host:port yes|no
setting-error-domain = { $domain } is not a domain name: letters, digits and hyphens, with a dot before the last part, as in company.se
setting-error-ip = { $value } is not an IP address (such as 10.0.0.5)
setting-error-number = expected a whole number from { $low } to { $high }
setting-error-url = expected an address starting with https:// (or http://)
setting-error-empty = cannot be empty
setting-error-time-zone = expected a time zone name such as Europe/Stockholm
setting-error-one-line = must be one line, without line breaks or control characters
setting-error-too-long = must be at most { $most } characters
setting-error-one-of = expected one of: { $values }
setting-error-host = expected a host name such as smtp.company.se
setting-error-bind = expected an address and port such as 0.0.0.0:8480

# Names offered when saving a file.
file-export-name = users-{ $stamp }.xlsx
file-template-name = Employees-users template.xlsx
file-results-name = verify-accounts-results-{ $stamp }.xlsx
file-import-report-name = import-report-{ $stamp }.xlsx
services-worker-not-started = The outbox worker did not start: { $error }
