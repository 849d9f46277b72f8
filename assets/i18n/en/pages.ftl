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
page-link-expired-text = This link has expired. Ask your HR administrator to send a new verification email.
page-link-used-title = This link has already been used
page-link-used-text = This link has already been used. If you cannot log in, ask your HR administrator.
page-link-replaced-title = This link has been replaced
page-link-replaced-text = This link has been replaced by a newer one. Use the link in the most recent email.
