# The employee's pages. Arguments arrive HTML-escaped; the texts may hold
# simple HTML.

page-confirm-title = Confirm your email address
page-confirm-text = Confirm that <strong>{ $address }</strong> is your address for logging in to HRM with Visma Connect.
page-confirm-button = Confirm
page-confirmed-title = Your email address is verified
page-confirmed-text = <strong>{ $address }</strong> is now connected to Visma Connect.
page-confirmed-next = Next: open the <a href="{ $login_url }">Visma Connect login page</a>, choose <em>Forgot your password?</em> and enter your address. You will receive an email to set your password, and can then log in to HRM.
page-not-found-title = Page not found
page-not-found-text = There is nothing at this address.
page-unavailable-title = Please try again later
page-unavailable-text = The verification service cannot be reached right now. Try the link again in a few minutes.
page-link-unknown-title = This link is not valid
page-link-unknown-text = This link is not valid. Check that you opened the whole link from the email.
page-link-expired-title = This link has expired
page-link-expired-text = This link has expired. You can have a new one sent to the same address, or ask your HR administrator.
page-link-used-title = This link has already been used
page-link-used-text = This link has already been used. If you cannot log in, ask your HR administrator.
page-link-replaced-title = This link has been replaced
page-link-replaced-text = This link has been replaced by a newer one. Use the link in the most recent email, or have a new one sent to the same address.
page-new-link-button = Send me a new link
page-new-link-title = Check your inbox
page-new-link-text = If this link belongs to an account that is still waiting to be linked, a new email is on its way to the same address. You can ask for a new link once every 10 minutes.
page-relink-title = My profile › Security and login
page-relink-banner = Your account is not linked to Visma Connect
page-relink-text = Enter the email address you want to log in to HRM with (your own work address). We will send a verification email to it.
page-relink-address = Email address
page-relink-confirm = Confirm email address
page-relink-button = Send verification email
page-relink-invalid = Enter a valid email address, such as anna.svensson@company.se.
page-relink-not-same = The two addresses are not the same. Enter the same address in both fields.
page-relink-taken = This address cannot be used. Enter your own work address, or contact your HR administrator.
page-relink-sent-title = Check your inbox
page-relink-sent-text = We have sent a verification email to <strong>{ $address }</strong>. Open the link in it to finish linking your account.
