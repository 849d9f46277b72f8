# Den anställdes sidor. Argumenten kommer HTML-skyddade; texterna får
# innehålla enkel HTML.

page-confirm-title = Bekräfta din e-postadress
page-confirm-text = Bekräfta att <strong>{ $address }</strong> är din adress för inloggning i HRM med Visma Connect.
page-confirm-button = Bekräfta
page-confirmed-title = Din e-postadress är verifierad
page-confirmed-text = <strong>{ $address }</strong> är nu kopplad till Visma Connect.
page-confirmed-next = Så går du vidare: öppna <a href="{ $login_url }">inloggningssidan för Visma Connect</a>, välj <em>Glömt ditt lösenord?</em> och ange din adress. Du får ett e-postmeddelande där du väljer ditt lösenord, och sedan kan du logga in i HRM.
page-not-found-title = Sidan finns inte
page-not-found-text = Det finns ingenting på den här adressen.
page-unavailable-title = Försök igen senare
page-unavailable-text = Verifieringstjänsten kan inte nås just nu. Prova länken igen om några minuter.
page-link-unknown-title = Länken är inte giltig
page-link-unknown-text = Länken är inte giltig. Kontrollera att du öppnade hela länken i e-postmeddelandet.
page-link-expired-title = Länken har gått ut
page-link-expired-text = Länken har gått ut. Be din HR-administratör att skicka ett nytt verifieringsmeddelande.
page-link-used-title = Länken har redan använts
page-link-used-text = Länken har redan använts. Om du inte kan logga in, kontakta din HR-administratör.
page-link-replaced-title = Länken har ersatts
page-link-replaced-text = Länken har ersatts av en nyare. Använd länken i det senaste e-postmeddelandet.
