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
page-link-expired-text = Länken har gått ut. Du kan få en ny skickad till samma adress, eller be din HR-administratör om hjälp.
page-link-used-title = Länken har redan använts
page-link-used-text = Länken har redan använts. Om du inte kan logga in, kontakta din HR-administratör.
page-link-replaced-title = Länken har ersatts
page-link-replaced-text = Länken har ersatts av en nyare. Använd länken i det senaste e-postmeddelandet, eller få en ny skickad till samma adress.
page-new-link-button = Skicka en ny länk till mig
page-new-link-title = Titta i din inkorg
page-new-link-text = Om länken hör till ett konto som fortfarande väntar på att kopplas är ett nytt e-postmeddelande på väg till samma adress. Du kan be om en ny länk en gång per 10 minuter.
page-relink-title = Min profil › Säkerhet och inloggning
page-relink-banner = Ditt konto är inte kopplat till Visma Connect
page-relink-text = Ange den e-postadress du vill logga in i HRM med (din egen adress på jobbet). Vi skickar ett verifieringsmejl till den.
page-relink-address = E-postadress
page-relink-confirm = Bekräfta e-postadress
page-relink-button = Skicka verifieringsmejl
page-relink-invalid = Ange en giltig e-postadress, till exempel anna.svensson@foretaget.se.
page-relink-not-same = Adresserna är inte likadana. Ange samma adress i båda fälten.
page-relink-taken = Adressen kan inte användas. Ange din egen adress på jobbet, eller kontakta din HR-administratör.
page-relink-sent-title = Titta i din inkorg
page-relink-sent-text = Vi har skickat ett verifieringsmejl till <strong>{ $address }</strong>. Öppna länken i det för att slutföra kopplingen av ditt konto.
