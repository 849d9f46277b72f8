# E-postmeddelandenas standardtexter. Platshållarna ({ $name } och de andra)
# blir {name}, {email}, {link}, {expires} och {login_url} i de redigerbara
# mallarna under Inställningar › Meddelanden.

email-verification =
    Hej { $name },

    Din arbetsgivare har registrerat { $email } som din adress för inloggning i HRM med Visma Connect.

    Bekräfta adressen genom att öppna den här länken:

    { $link }

    Länken gäller till { $expires }.

    Så går du vidare: gå till inloggningssidan för Visma Connect, { $login_url }, välj "Glömt ditt lösenord?" och ange { $email }. Du får då ett meddelande där du väljer ditt lösenord, och sedan kan du logga in.

    Om du inte väntade dig det här meddelandet kan du bortse från det; ingenting ändras förrän adressen har bekräftats.
    .subject = Verifiera din e-postadress för Visma Connect

email-password-reset =
    Hej { $name },

    Din HRM-administratör har bett Visma Connect att låta dig välja ett nytt lösenord för { $email }.

    Gå till inloggningssidan för Visma Connect, { $login_url }, välj "Glömt ditt lösenord?" och ange { $email }. Du får då ett meddelande med en länk där du väljer ditt nya lösenord.

    Om du inte har bett om detta kan du bortse från meddelandet; ditt lösenord förblir detsamma.
    .subject = Välj ett nytt lösenord för Visma Connect

email-relink-invitation =
    Hej { $name },

    Ditt HRM-konto är inte längre kopplat till Visma Connect. Koppla det igen med din egen e-postadress på jobbet:

    { $link }

    Sidan, Min profil › Säkerhet och inloggning, ber dig ange adressen två gånger och skickar ett verifieringsmejl till den. Länken gäller till { $expires }.

    Om du inte väntade dig det här meddelandet, kontakta din HR-administratör.
    .subject = Koppla ditt HRM-konto till Visma Connect igen
test-email-subject = Testmeddelande från HRM Users
test-email-body = Detta är ett testmeddelande från HRM Users. Om du läser detta kan verifieringsmeddelanden skickas med dessa inställningar.
