# The command line's messages (tables and JSON stay as they are).

## verify --all-pending

cli-selection =
    Selection: { $count ->
        [one] { $count } user
       *[other] { $count } users
    }
cli-dry-run-sent = Dry run: nothing was sent.
cli-bulk-summary = { $sent } sent, { $failed } failed, { $waiting } still queued, { $other } other
cli-bulk-stopped = The send stopped before every message was followed: { $error }. Messages already queued stay queued; the window or `hrm-users serve` delivers them.
cli-bulk-waiting = { $waiting } messages wait for a retry (see `hrm-users outbox`); the window or `hrm-users serve` delivers them.

## db

cli-status-register = Register
cli-status-backend = Backend
cli-status-schema = Schema version
cli-status-users = Users
cli-status-connected = {"  "}connected
cli-status-pending = {"  "}pending
cli-status-outbox = Outbox
cli-status-outbox-value = { $messages } messages, { $waiting } waiting
cli-status-audit = Audit log
cli-status-audit-value = { $rows } rows
cli-status-workers = Outbox workers
cli-copy-same = FROM and TO are the same register.
cli-copied = Copied { $from } to { $to } in { $seconds } s.
cli-copy-same-rows = Every table has the same rows on both sides.
cli-copy-differ = The two sides differ (marked with !).

## mail

cli-no-such-user = There is no user with User-ID { $user_id }.
cli-connected-by-domain = User { $user_id } is connected: { $email } is in a verified domain, so no email was sent.
cli-queued = Queued a verification email to { $email } for user { $user_id }.
cli-not-sent-now = Not sent now ({ $error }); it stays queued for the outbox worker.
cli-delivered = Delivered: { $answer }
cli-server-refused = the server refused the message: { $answer }
cli-not-delivered-yet = Not delivered yet ({ $answer }); it stays queued and is retried.
cli-queued-short = Queued.
cli-user-refused = User { $user_id }: { $reason }
cli-serving = Serving verification links on http://{ $address } (links in emails start with { $base }); delivering queued email. Press Ctrl+C to stop.
cli-stopped = Stopped.
cli-smtp-password-not-a-setting = The SMTP password is not a setting: enter it in the window's Settings (kept in the system keyring), or set { $variable }.
cli-no-such-setting = There is no setting { $name }. Settings: { $names }.

## demo

cli-demo-not-empty = { $path } already holds users; give a new file with --db to make a demo register.
cli-demo-made = Made a demo register of { $count } users in { $path }.

## import and export

cli-import-counts = to create: { $create }, to update: { $update }, unchanged: { $unchanged }, rejected rows: { $rejected }, notes: { $notes }
cli-import-ignored = ignored columns (not in the template): { $columns }
cli-report-written = report written to { $path }
cli-dry-run-imported = Dry run: nothing was imported.
cli-all-rejected = Nothing was imported: every row with a change was rejected.
cli-export-type = { $path } must end in .xlsx or .csv.
cli-template-written = Wrote an empty Employees/users template to { $path }.

## presets

cli-setting-locked = { $name } is fixed on this computer by your IT administrator ({ $file }); it cannot be changed here.
cli-role-members = { $count ->
    [one] 1 member
   *[other] { $count } members
}
cli-user-no-roles = No roles.
cli-codes-imported = { $count ->
    [one] 1 account code imported.
   *[other] { $count } account codes imported.
}
cli-no-connection = User { $user_id } has no connection to Visma Connect.
cli-not-connected = User { $user_id } is not connected to Visma Connect: a password can be reset only for a connected user.
cli-disconnected = The connection of user { $user_id } to Visma Connect is deleted.
cli-relink-queued = An invitation to link again is queued to { $email }.
cli-relink-no-email = No invitation was sent: the user has no Email. Enter the new address in the form.
cli-reset-queued = A password reset email to { $email } is queued for user { $user_id }; the window or `hrm-users serve` delivers it.
cli-idp-server = Provisioning: { $provisioning }. Server: { $server }
cli-idp-would = (dry run: nothing changed)
cli-idp-refused = refused: { $error }
cli-idp-sync-summary = Accounts at the provider: { $provider }. Differences: { $differences }, unchanged: { $unchanged }, refused: { $failed }.
cli-no-register = There is no register at { $path }. Make one with `hrm-users --db { $path } demo`, in the window (Register › New), or by `hrm-users db copy`.
cli-copy-not-owner = Only the shared register's owner copies it (this login is { $login }): a copy reads every row.
cli-grant-not-owner = Only the shared register's owner grants the group roles (this login is { $login }).
cli-grant-done = The group roles hrm_admins and hrm_serve may now use the register, each login within its roles.
cli-status-damaged = Rows that cannot be read
cli-status-damaged-value = { $users } users, { $messages } messages (left out of every list; the log names their keys)
