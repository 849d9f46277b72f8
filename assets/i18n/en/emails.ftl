# The emails' default texts. Their placeholders ({ $name } and the others)
# become {name}, {email}, {link}, {expires} and {login_url} in the editable
# templates of Settings › Messages.

email-verification =
    Hello { $name },

    Your employer has registered { $email } as your address for logging in to HRM with Visma Connect.

    Confirm the address by opening this link:

    { $link }

    The link is valid until { $expires }.

    What comes next: go to the Visma Connect login page, { $login_url }, choose "Forgot your password?" and enter { $email }. You will receive a message to set your password, and can then log in.

    If you did not expect this message, you can ignore it; nothing changes until the address is confirmed.
    .subject = Verify your email address for Visma Connect

email-password-reset =
    Hello { $name },

    Your HRM administrator has asked Visma Connect to let you set a new password for { $email }.

    Go to the Visma Connect login page, { $login_url }, choose "Forgot your password?" and enter { $email }. You will receive a message with a link to set your new password.

    If you did not ask for this, you can ignore this message; your password stays as it is.
    .subject = Set a new password for Visma Connect

email-relink-invitation =
    Hello { $name },

    Your HRM account is no longer linked to Visma Connect. Link it again with your own work email address:

    { $link }

    The page, My profile › Security and login, asks for the address twice and sends a verification email to it. The link is valid until { $expires }.

    If you did not expect this message, contact your HR administrator.
    .subject = Link your HRM account to Visma Connect again
test-email-subject = HRM Users test email
test-email-body = This is a test email from HRM Users. If you read this, verification emails can be sent with these settings.
