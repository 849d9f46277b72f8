# Kommandoradens meddelanden (tabeller och JSON är oförändrade).

## verify --all-pending

cli-selection = Urval: { $count } användare
cli-dry-run-sent = Provkörning: ingenting skickades.
cli-bulk-summary = { $sent } skickade, { $failed } misslyckade, { $waiting } fortfarande i kö, { $other } övriga
cli-bulk-stopped = Utskicket avbröts innan alla meddelanden kunde följas: { $error }. Meddelanden som redan står i kö ligger kvar; fönstret eller `hrm-users serve` skickar dem.
cli-bulk-waiting = { $waiting } meddelanden väntar på ett nytt försök (se `hrm-users outbox`); fönstret eller `hrm-users serve` levererar dem.

## db

cli-status-register = Register
cli-status-backend = Databas
cli-status-schema = Schemaversion
cli-status-users = Användare
cli-status-connected = {"  "}kopplade
cli-status-pending = {"  "}väntande
cli-status-outbox = Utkorg
cli-status-outbox-value = { $messages } meddelanden, { $waiting } väntar
cli-status-audit = Granskningslogg
cli-status-audit-value = { $rows } rader
cli-status-workers = Utkorgsarbetare
cli-copy-same = FROM och TO är samma register.
cli-copied = Kopierade { $from } till { $to } på { $seconds } s.
cli-copy-same-rows = Varje tabell har samma rader på båda sidor.
cli-copy-differ = De två sidorna skiljer sig (markerat med !).

## mail

cli-no-such-user = Det finns ingen användare med Användar-ID { $user_id }.
cli-connected-by-domain = Användare { $user_id } är kopplad: { $email } hör till en verifierad domän, så inget meddelande skickades.
cli-queued = Köade ett verifieringsmeddelande till { $email } för användare { $user_id }.
cli-not-sent-now = Inte skickat nu ({ $error }); det ligger kvar i kön för utkorgsarbetaren.
cli-delivered = Levererat: { $answer }
cli-server-refused = servern tog inte emot meddelandet: { $answer }
cli-not-delivered-yet = Inte levererat än ({ $answer }); det ligger kvar i kön och försöks igen.
cli-queued-short = Köat.
cli-user-refused = Användare { $user_id }: { $reason }
cli-serving = Tar emot verifieringslänkar på http://{ $address } (länkarna i e-posten börjar med { $base }); levererar köad e-post. Tryck Ctrl+C för att stoppa.
cli-stopped = Stoppad.
cli-smtp-password-not-a-setting = SMTP-lösenordet är ingen inställning: ange det under Inställningar i fönstret (det förvaras i systemets nyckelring), eller ange { $variable }.
cli-no-such-setting = Det finns ingen inställning { $name }. Inställningar: { $names }.

## demo

cli-demo-not-empty = { $path } innehåller redan användare; ange en ny fil med --db för att skapa ett demoregister.
cli-demo-made = Skapade ett demoregister med { $count } användare i { $path }.

## import and export

cli-import-counts = skapas: { $create }, uppdateras: { $update }, oförändrade: { $unchanged }, avvisade rader: { $rejected }, anmärkningar: { $notes }
cli-import-ignored = ignorerade kolumner (finns inte i mallen): { $columns }
cli-report-written = rapporten skrevs till { $path }
cli-dry-run-imported = Provkörning: ingenting importerades.
cli-all-rejected = Ingenting importerades: varje rad med en ändring avvisades.
cli-export-type = { $path } måste sluta på .xlsx eller .csv.
cli-template-written = Skrev en tom mall Anställda/användare till { $path }.

## presets

cli-setting-locked = { $name } är låst på den här datorn av er IT-administratör ({ $file }); den kan inte ändras här.
cli-role-members = { $count ->
    [one] 1 medlem
   *[other] { $count } medlemmar
}
cli-user-no-roles = Inga roller.
cli-codes-imported = { $count ->
    [one] 1 kontokod importerad.
   *[other] { $count } kontokoder importerade.
}
cli-no-connection = Användare { $user_id } har ingen koppling till Visma Connect.
cli-not-connected = Användare { $user_id } är inte kopplad till Visma Connect: lösenordet kan bara återställas för en kopplad användare.
cli-disconnected = Kopplingen mellan användare { $user_id } och Visma Connect är borttagen.
cli-relink-queued = En inbjudan att koppla om står i kö till { $email }.
cli-relink-no-email = Ingen inbjudan skickades: användaren saknar e-post. Ange den nya adressen i formuläret.
cli-reset-queued = Ett mejl för återställning av lösenord till { $email } står i kö för användare { $user_id }; fönstret eller `hrm-users serve` skickar det.
cli-idp-server = Överföring: { $provisioning }. Server: { $server }
cli-idp-would = (provkörning: inget ändrades)
cli-idp-refused = nekades: { $error }
cli-idp-sync-summary = Konton hos leverantören: { $provider }. Skillnader: { $differences }, oförändrade: { $unchanged }, nekade: { $failed }.
cli-no-register = Det finns inget register i { $path }. Skapa ett med `hrm-users --db { $path } demo`, i fönstret (Register › Nytt) eller med `hrm-users db copy`.
cli-copy-not-owner = Bara det delade registrets ägare kopierar det (denna inloggning är { $login }): en kopia läser varje rad.
cli-grant-not-owner = Bara det delade registrets ägare ger grupprollerna behörighet (denna inloggning är { $login }).
cli-grant-done = Grupprollerna hrm_admins och hrm_serve kan nu använda registret, varje inloggning inom sina roller.
cli-status-damaged = Rader som inte kan läsas
cli-status-damaged-value = { $users } användare, { $messages } meddelanden (utelämnade ur alla listor; loggen anger deras nycklar)
