users-count = { $count } användare

## users view

status-verification-queued = Verifieringsmeddelande köat till { $email }.
status-connected-by-domain = { $email } hör till en verifierad domän: kopplad direkt, inget meddelande skickat.
status-reset-queued = Meddelande om nytt lösenord köat till { $email }.
delete-connection-title = Ta bort koppling
delete-connection-question = Ta bort kopplingen till Visma Connect för { $user }? Användaren kan inte logga in med Visma Connect förrän en ny adress har angetts och verifierats.
delete-connection-yes = Ja, ta bort kopplingen
status-connection-deleted = Kopplingen till Visma Connect för { $user } är borttagen.
cancel = Avbryt
close-waiting-title = E-post väntar fortfarande
close-waiting-text =
    { $count ->
        [one] { $count } meddelande väntar
       *[other] { $count } meddelanden väntar
    } fortfarande på att skickas (några kan vara nya försök efter att en e-postserver svarat "försök senare"). Det här fönstret skickar dem; stänger du det väntar de tills HRM Users eller serve körs igen.
close-waiting-keep = Låt fönstret vara öppet
close-waiting-close = Stäng ändå
status-user-saved = Användaren { $user_id } { $name } är sparad.
status-user-deleted = Användaren { $user } är borttagen.
delete-user-changed-again = Ta bort användaren ändå?
toolbar-import =
    Importera
    .hint = Importera kalkylbladet Anställda/användare
toolbar-export =
    Exportera
    .hint = Exportera användare i mallen Anställda/användare
toolbar-template = Ladda ner mall
toolbar-verify-accounts =
    Verifiera konton
    .hint = Skicka verifieringsmeddelanden till alla i listan som fortfarande väntar
view-path = Användare/Behörigheter > Användare
toolbar-new =
    + Ny
    .hint = Ny användare (Ctrl+N)
toolbar-save =
    Spara
    .hint = Spara (Ctrl+S)
toolbar-delete = Ta bort
toolbar-filter =
    Filter
    .hint = Filtrera på avdelning, kontor, koppling och aktivering
toolbar-about =
    Om
    .hint = Version, licens och var data och loggar finns
toolbar-settings =
    Inställningar
    .hint = E-post, verifieringslänk, verifierade domäner, språk
links-served-on = Länkar tas emot på { $address }
demo-banner = Demoregister: påhittade användare att prova programmet med, i en egen fil ({ $file }). Register › Nytt… skapar ditt eget register.
demo-banner-shared = Demoregister: påhittade användare att prova programmet med, i ett delat register ({ $register }). Register › Nytt… skapar ditt eget register.
damaged-users-banner = { $count ->
    [one] En användare i registret går inte att läsa (skadad eller ändrad för hand) och visas inte i listan; resten fungerar som vanligt. Kommandot hrm-users db status räknar sådana rader och loggen anger deras nycklar.
   *[other] { $count } användare i registret går inte att läsa (skadade eller ändrade för hand) och visas inte i listan; resten fungerar som vanligt. Kommandot hrm-users db status räknar sådana rader och loggen anger deras nycklar.
}
search-hint = Sök (Ctrl+F)
search = Sök
list-count = { $shown } av { $total } användare
list-count-filtered = { $shown } av { $total } användare (filtrerat)
filter-all = Alla
filter-activated = Aktiverad
filter-not-activated = Inte aktiverad
filter-clear = Rensa filter
list-name = Användare
list-empty = Registret är tomt. Tryck på + Ny för att lägga till en användare.
list-no-match = Ingen användare matchar sökningen och filtren.
form-none-chosen = Välj en användare i listan, eller tryck på + Ny.
form-none-chosen-keys = Piltangenterna upp och ner flyttar i listan.
unsaved-title = Osparade ändringar
unsaved-question = Du har ändrat { $user } utan att spara. Vill du spara ändringarna innan du lämnar formuläret?
unsaved-save = Spara ändringarna
unsaved-discard = Förkasta ändringarna
delete-user-title = Ta bort användare
delete-user-question = Ta bort användaren { $user }? Kopplingen till Visma Connect tas också bort. Det går inte att ångra.

## user form

form-not-connected-warning = Användaren är inte kopplad till Visma Connect. En giltig e-postadress måste anges och verifieras för att användaren ska kunna logga in med Visma Connect.
form-smtputf8-warning = Adressen har bokstäver utanför A–Z före @. Er e-postserver tar inte emot sådana adresser (Skicka testmeddelande visade att den inte anger SMTPUTF8), så ett verifieringsmeddelande till den skulle misslyckas. Använd en adress utan dem, eller en e-postserver som tar emot dem.
form-new-user = Ny användare
form-tab-general = Allmänt
field-activated = Användaren är aktiverad
form-connection = Koppling till Visma Connect
message-verification = Verifieringsmeddelande
form-pending-none-sent = Väntar på verifiering: { $email } är sparad; inget verifieringsmeddelande har skickats än.
form-pending-sent =
    Väntar på verifiering: { $email } är sparad; { $count ->
        [one] ett verifieringsmeddelande skickades { $last }.
       *[other] { $count } verifieringsmeddelanden har skickats, det senaste { $last }.
    }
form-send-again = Skicka igen
form-suggestion = Användarens e-post är
form-use-address =
    Använd den här adressen
    .hint = Fyller i E-post och Bekräfta e-post nedan; ingenting sparas eller skickas än
form-connected-hint = Kopplad: användaren loggar in med Visma Connect.
form-connected-by-link = Kopplad { $since } — användaren bekräftade verifieringslänken.
form-connected-by-domain = Kopplad { $since } — adressen hör till en verifierad domän.
form-reset-password = Återställ lösenord
message-reset = Meddelande om nytt lösenord
form-verify-account =
    Verifiera konto
    .hint = Spara adressen och skicka ett verifieringsmeddelande
delivery-retrying = { $what } till { $to } väntar på att skickas igen (servern svarade: { $reply }).
delivery-queued = { $what } till { $to } står i kö ({ $at }).
delivery-sent-valid = { $what } skickat till { $to } { $sent } (länken gäller till { $until }).
delivery-sent-expired = { $what } skickat till { $to } { $sent }; länken fungerar inte längre.
delivery-sent = { $what } skickat till { $to } { $sent }.
delivery-failed = { $what } till { $to } kunde inte levereras: { $reason }
delivery-no-answer = inget svar
delivery-cancelled = { $what } till { $to } skickades inte: { $reason }
delivery-cancelled-reason = avbrutet
form-history = Historik
form-history-empty = Inget registrerat än.

## fields

field-user-id = Användar-ID *
field-alias-user-id = Alias användar-ID
field-signature = Signatur
field-card-tag-id = Kort-/Tagg-ID
field-external-reference = Extern referens
field-email = E-post
field-first-name = Förnamn
field-last-name = Efternamn
field-department = Avdelning
field-office = Kontor
field-confirm-email = Bekräfta e-post

## connection status

status-not-connected = Inte kopplad
status-pending = Väntar
status-connected = Kopplad

## format



## conflict dialog

conflict-title = Ändrad av någon annan
conflict-delete-anyway = Ta bort ändå
conflict-reload =
    Läs in igen
    .hint = Visa användaren som den är sparad nu; dina ändringar tas bort
conflict-save-anyway =
    Spara ändå
    .hint = Spara ditt formulär över den andra ändringen

## file chooser

chooser-file = Fil
chooser-browse = Bläddra…
chooser-no-dialog = Ingen fildialog kunde öppnas: { $error }
chooser-no-portal = Ingen fildialog kunde visas på det här skrivbordet (den behöver xdg-desktop-portal eller zenity). Skriv filens sökväg i stället.
chooser-waiting = Väntar på fildialogen…

## icons

icon-verified = Verifierad
icon-warning = Varning

## table

yes = Ja
no = Nej
table-sort-by = Sortera på { $column }
table-resize-column = Bredd på kolumnen { $column }
form-resize = Formulärets bredd
window-edge-right = Fönstrets högra kant
window-edge-left = Fönstrets vänstra kant
window-edge-bottom = Fönstrets nedre kant
window-edge-top = Fönstrets övre kant
window-corner-bottom-right = Fönstrets nedre högra hörn
window-corner-top-right = Fönstrets övre högra hörn
window-corner-bottom-left = Fönstrets nedre vänstra hörn
window-corner-top-left = Fönstrets övre vänstra hörn

## columns

column-user-id = Användar-ID
column-name = Namn
column-activated = Aktiverad

## about

about-settings-unreadable = (inställningarna kunde inte läsas: { $error })
about-backups-shared = PostgreSQL-serverns egna säkerhetskopior
about-backups-file = { $folder } (de senaste { $count } importerna)
about-title = Om HRM Users
about-version = Version { $version }
about-what = Registret över HRM-användare och deras koppling till Visma Connect.
about-licence = Licens: { $licence }
about-register = Register (användare och inställningar)
about-backups = Säkerhetskopior
about-outbox = Utkorg (mapp)
about-logs = Loggar
about-smtp-password = SMTP-lösenord
about-graphics = Grafik
about-copy =
    Kopiera
    .hint = Kopiera de här uppgifterna
close = Stäng

## register

connect-password-session-only = Lösenordet används bara under den här sessionen.
register-menu = Register
register-new = Nytt register…
register-open = Öppna fil…
register-connect = Anslut till ett delat register…
register-recent = Senaste
register-new-title = Nytt register
register-open-title = Öppna en registerfil
register-connect-title = Anslut till ett delat register
register-new-text = En ny, tom registerfil. Registret du har öppet nu förblir som det är.
register-open-text = En registerfil för HRM Users (.db).
register-create = Skapa
register-open-button = Öppna
register-exists = { $path } finns redan; välj ett nytt namn, eller använd Öppna fil….
register-missing = { $path } finns inte.
connect-text = Registret på den PostgreSQL-server som er organisation delar.
connect-url = URL
connect-user = Användare
connect-user-hint = som i URL:en
connect-password = Lösenord
connect-remember = Kom ihåg lösenordet i systemets nyckelring
connect-password-note = Lämna lösenordet tomt för att använda PGPASSWORD eller din .pgpass-fil. Lösenordet skrivs aldrig till en fil eller en logg.
connect-button = Anslut
connect-bad-url = URL:en börjar med postgres:// (till exempel postgres://db.company.se/hrm?sslmode=verify-full).

## opening

open-opening = Öppnar registret…
open-failed = Registret kunde inte öppnas
open-failed-next = Öppna ett annat register, eller rätta detta och starta programmet igen.

## settings

settings-public-base-url = Offentlig bas-URL
settings-link-lifetime = Länken gäller i (timmar)
settings-login-page = Inloggningssida för Visma Connect
settings-bind-address = Lyssningsadress
settings-trusted-proxies = Betrodda omvända proxyservrar
settings-sender-name = Avsändarnamn
settings-sender-address = Avsändaradress
settings-smtp-host = SMTP-server
settings-smtp-port = Port
settings-smtp-user = Användarnamn
settings-smtp-timeout = Tidsgräns (sekunder)
settings-smtp-sessions = Parallella sessioner
settings-outbox-folder = Utkorgsmapp
settings-per-minute = Meddelanden per minut (0: ingen gräns)
settings-resend-after = Massutskick: inte igen inom (minuter)
settings-title = Inställningar
settings-unreadable = Inställningarna kunde inte läsas: { $error }. Fälten visar standardvärdena, inte era inställningar, och kan inte sparas. Stäng fönstret och öppna det igen.
settings-email = E-post
settings-link = Verifieringslänk
settings-endpoint-enabled = Kör verifieringstjänsten i det här programmet
settings-security = Säkerhet
settings-verified-domains = Verifierade domäner (en per rad): adresser i dem kopplas direkt, utan verifieringsmeddelande.
settings-messages = Meddelanden
settings-message-language = Språk i e-post och sidor
settings-placeholders = Platshållare: { $list }
settings-save =
    Spara inställningar
    .disabled = De sparade inställningarna kunde inte läsas.
settings-delivered-by = Skickas av
settings-every-window = Varje öppet fönster och serve
settings-serve-only =
    Bara serve
    .hint = För ett delat register med en server som alltid är igång
settings-send-by = Skicka via
settings-folder = Spara i mapp
settings-security-none = Ingen (bara localhost)
settings-password-unchanged = oförändrat
settings-password-note = Lösenordet förvaras i systemets nyckelring, aldrig i registret. Utan nyckelring, ange { $variable }.
settings-folder-note = Varje meddelande sparas som en .eml-fil i { $folder }.
settings-test-to = Skicka testmeddelande till
settings-test-send = Skicka testmeddelande
settings-test-sent = Skickat. Servern svarade: { $answer }
settings-test-not-sent = Inte skickat: { $answer }
settings-test-fix-first = rätta först inställningarna som säger vad som är fel (i rött).
settings-saved = Inställningarna är sparade.
settings-reading = Läser inställningarna…
settings-not-saved = Inte sparat: rätta inställningarna som säger vad som är fel (i rött).
settings-subject = Ämne
settings-text = Text
settings-window = Fönster
settings-language = Språk
settings-follow-system = Följ systemet
settings-theme = Tema
settings-theme-light = Ljust
settings-theme-dark = Mörkt
settings-window-note = Gäller direkt, för dig på den här datorn; inställningarna nedan är registrets.

## bulk counts

bulk-line-send = får ett verifieringsmeddelande
bulk-line-already-queued = av dem redan köade av ett tidigare utskick (levereras nu, skickas inte två gånger)
bulk-line-connect = kopplas direkt (verifierad domän, inget meddelande)
bulk-line-skipped-connected = hoppas över — redan kopplade
bulk-line-skipped-no-address = hoppas över — ingen sparad adress
bulk-line-skipped-invalid = hoppas över — adressen är ogiltig eller delas med en annan användare
bulk-line-skipped-not-activated = hoppas över — användaren är inte aktiverad
bulk-line-skipped-recent = hoppas över — fick ett verifieringsmeddelande för mindre än { $minutes } minuter sedan

## verify accounts

bulk-results-title = Verifiera konton: resultat
bulk-count-failed = Urvalet kunde inte räknas: { $error }
bulk-counting = Räknar vilka som får ett verifieringsmeddelande…
bulk-in-selection = { $users } i urvalet:
bulk-send-again = Skicka igen till användare som nyligen fått ett verifieringsmeddelande
bulk-send-button =
    { $count ->
        [one] Skicka { $count } verifieringsmeddelande
       *[other] Skicka { $count } verifieringsmeddelanden
    }
bulk-sending-title = Skickar verifieringsmeddelanden
bulk-progress-not-sent = Skickade { $sent } · Misslyckade { $failed } · Inte skickade { $not_sent } · Återstår { $remaining }
bulk-progress = Skickade { $sent } · Misslyckade { $failed } · Återstår { $remaining }
bulk-connected-at-once = Kopplade direkt: { $count }
bulk-cancelling = Avbryter: meddelanden som inte har lämnats till e-postservern skickas inte; väntar på serverns svar om dem som redan har lämnats över.
bulk-cancel-hint = Stoppa: meddelanden som inte har lämnats till e-postservern skickas inte
bulk-stopped = Utskicket stoppades: { $error }
bulk-results-summary = Skickade { $sent } · Misslyckade { $failed } · Kopplade direkt { $connected } · Överhoppade { $skipped } · Inte skickade { $not_sent } · Väntar { $waiting }
column-visma-email = E-post Visma Connect
column-result = Resultat
column-details = Detaljer
bulk-possible-duplicate = { $details } (möjlig dubblett)

## save as

save-as-save-file = Spara filen
save-as-saved = Sparat i { $path }

## results

bulk-save-xlsx = Spara som xlsx…
not-saved = Inte sparat: { $error }

## import report

import-save-report = Spara rapport…

## import and export

sheet-rows-so-far = { $stage }: { $done } rader hittills
sheet-rows-of = { $stage }: { $done } av { $total } rader
sheet-stage-reading = Läser filen
sheet-stage-checking = Kontrollerar varje rad
sheet-stage-importing = Importerar
import-choose = Välj en fil Anställda/användare (xlsx, xlsm, xls, ods eller csv). Ingenting ändras förrän du har sett vad importen kommer att göra.
import-read = Läs filen
import-nothing = Ingenting importerades. { $error }
import-committing-shared = Importerar, i en enda transaktion.
import-committing = Säkerhetskopierar registret och importerar, i en enda transaktion.
import-cancel-hint = Stoppa: registret förblir precis som det var
import-done = Importerat: { $created } skapade, { $updated } uppdaterade.
import-done-backup = Importerat: { $created } skapade, { $updated } uppdaterade. En säkerhetskopia av registret sparades som { $backup }.
import-cancelled = Importen avbröts; ingenting importerades.
template-text = En tom mall Anställda/användare med kolumnen E-post Visma Connect.
template-save = Spara mallen
template-saved = Mallen sparades i { $path }.
export-selection = Det aktuella urvalet ({ $users })
export-everyone = Alla ({ $users })
export-type-note = Filtypen följer namnet: .xlsx eller .csv.
export-done = Exporterade { $users } till { $path }.
export-cancelled = Exporten avbröts; ingen fil skrevs.
import-counts = Skapas: { $create } · Uppdateras: { $update } · Oförändrade: { $unchanged } · Avvisade rader: { $rejected } · Anmärkningar: { $notes }
import-ignored-columns = Ignorerade kolumner (finns inte i mallen): { $columns }
import-pending-note = E-post Visma Connect sparas som väntande verifiering; importen skickar ingenting.
import-changes-only = Bara ändringar (dölj oförändrade rader utan anmärkningar)
import-column-row = Rad
import-column-status = Status
import-column-what = Vad ändras, och varför

## import button

import-button = Importera { $count } användare


## verify accounts: email only

bulk-email-only =
    { $count ->
        [one] { $count } användare har en e-postadress men ingen adress för Visma Connect.
       *[other] { $count } användare har en e-postadress men ingen adress för Visma Connect.
    }
bulk-use-email =
    Använd deras e-post som adress för Visma Connect
    .hint = Sparar var och ens e-post som adress för Visma Connect, i väntan på verifiering; ingenting skickas förrän du trycker på Skicka
bulk-emails-refused =
    { $count ->
        [one] { $count } e-postadress kunde inte användas (den tillhör en annan användare eller är ogiltig); den användaren hoppas fortfarande över.
       *[other] { $count } e-postadresser kunde inte användas (de tillhör andra användare eller är ogiltiga); de användarna hoppas fortfarande över.
    }


## history

audit-user-created = Användare skapad
audit-user-updated = Användare ändrad
audit-user-deleted = Användare borttagen
audit-address-saved = Adress sparad, väntar på verifiering
audit-address-removed = Väntande adress borttagen
audit-register-generated = Demoregister skapat
audit-verification-queued = Verifieringsmeddelande köat
audit-message-delivered = E-post lämnad till e-postservern
audit-message-failed = E-post kunde inte levereras
audit-link-confirmed = Länk bekräftad: kopplad
audit-connected-by-domain = Kopplad direkt: verifierad domän
audit-reset-queued = Meddelande om nytt lösenord köat
audit-connection-deleted = Koppling borttagen
audit-settings-changed = Inställningar ändrade
audit-saved-in-folder-to = E-post till { $to } sparad i utkorgsmappen (inte skickad: mapptransporten)
audit-saved-in-folder = E-post sparad i utkorgsmappen (inte skickad: mapptransporten)
audit-delivered-to = E-post till { $to } lämnad till e-postservern
audit-connection-deleted-address = Koppling borttagen ({ $address })

## email errors

email-empty = Ange en e-postadress.
email-no-at = En e-postadress har exakt ett @, som i namn@foretaget.se.
email-empty-local = Delen före @ saknas.
email-local-too-long = Delen före @ är längre än 64 tecken.
email-bad-local = Delen före @ har ett tecken som inte är tillåtet, eller en felplacerad punkt.
email-domain-without-dot = Domänen efter @ behöver en punkt, som i foretaget.se.
email-bad-domain = Domänen efter @ är inte ett giltigt domännamn.
email-too-long = Adressen är längre än 254 tecken.
email-short-top-level = Domänen slutar på en toppdomän med en bokstav; toppdomäner har minst två, som i .se.

## user id errors

user-id-empty = Användar-ID måste anges.
user-id-too-long = Användar-ID är längre än 50 tecken.
user-id-bad-character = Användar-ID får inte innehålla radbrytningar eller styrtecken.

## field errors

field-too-long = { $field } är längre än 200 tecken.
field-control-characters = Radbrytningar och styrtecken är inte tillåtna.
field-confirmation-mismatch = Bekräftelsen stämmer inte med e-postadressen.

## skip reasons

skip-already-connected = redan kopplad
    .sentence = Användaren är redan kopplad till Visma Connect.
skip-no-address = ingen sparad adress
    .sentence = Ange och bekräfta en e-postadress först.
skip-not-activated = användaren är inte aktiverad
    .sentence = Användaren är inte aktiverad: aktivera användaren först.
skip-recently-sent = fick nyligen ett verifieringsmeddelande
    .sentence = Ett verifieringsmeddelande skickades nyligen.

## import rows

import-activated-yes = Användaren är aktiverad: ja
import-activated-no = Användaren är aktiverad: nej
import-no-user-id-column = Filen har ingen kolumn Användar-ID (första raden ska innehålla kolumnnamnen, ett av dem Användar-ID).
import-duplicate-column = Kolumnen { $column } finns två gånger.
import-user-id-empty = Användar-ID är tomt.
import-user-id-twice = Användar-ID { $user_id } finns också på rad { $row }; bara den första importeras.
import-visma-pending = E-post Visma Connect: { $address } (väntar på verifiering)
import-email-invalid = E-post { $email } är inte en giltig adress: ignoreras.
import-activated-invalid = Användaren är aktiverad "{ $cell }" är inte ja eller nej: ignoreras.
import-visma-invalid = E-post Visma Connect { $cell } är inte en giltig adress: ignoreras.
import-already-connected = Redan kopplad till Visma Connect som { $current }: adressen ligger kvar. Ta bort kopplingen först för att ändra den.
import-visma-taken = E-post Visma Connect { $email } tillhör användare { $user_id }: används inte.
import-visma-twice = E-post Visma Connect { $email } anges också för användare { $first } i den här filen: används inte.
import-idp-follows = Användaren är kopplad: kontot i identitetsleverantören följer ändringen.

## saving

save-invalid = Användaren sparades inte: rätta fälten som säger vad som är fel (i rött).
user-not-found = Användaren finns inte längre i registret; den kan ha tagits bort någon annanstans.
changed-elsewhere = { $by } ändrade användaren { $when } medan formuläret var öppet.
changed-elsewhere-fields = { $by } ändrade { $fields } { $when } medan formuläret var öppet; att spara skulle skriva över det.
address-taken = Adressen tillhör redan användare { $user_id }.

## verification

user-not-connected = Användaren är inte kopplad till Visma Connect.

## results

outcome-sent = skickat
outcome-failed = misslyckades
outcome-waiting = väntar
outcome-connected = kopplad direkt
outcome-skipped = överhoppad
outcome-not-sent = inte skickat (avbrutet)

## register errors

store-not-a-database = { $register } är inte ett register för HRM Users (det är ingen SQLite-databas). Välj en annan fil; den här lämnades orörd.
store-foreign-database = { $register } är en databas för ett annat program, inte ett register för HRM Users. Välj ett annat; det här lämnades orört.
store-too-new = { $register } skrevs av en nyare version av HRM Users (registerversion { $found }, det här programmet känner till upp till { $supported }). Uppdatera programmet; registret lämnades orört.
store-crossed = Registret ändrades av ett annat program i samma ögonblick, så inget sparades. Försök igen.
store-locked = Registret är låst av ett annat program. Stäng det andra programmet (eller vänta tills det är klart) och försök igen.
store-damaged = Registret är skadat ({ $detail }). Återställ det från en säkerhetskopia; ingenting ändrades.
store-io = Registret i { $path } kan inte öppnas: { $error }
store-bad-location = Det delade registrets adress går inte att använda: { $detail }
store-unreachable = Det delade registret på { $register } kan inte nås: { $detail }. Kontrollera adressen, användaren och lösenordet, och att servern är igång.
store-refused = Det delade registret nekade detta: { $detail }. Din databasinloggning får inte göra det; inget ändrades.
store-sqlite = Registret kunde inte läsas eller skrivas: { $error }
store-postgres = Det delade registret kunde inte läsas eller skrivas: { $error }

## spreadsheet errors

sheet-unknown-type = { $detail } är ingen filtyp som HRM Users läser: använd xlsx, xlsm, xls, ods eller csv.
sheet-io = Filen kan inte läsas: { $detail }
sheet-not-a-spreadsheet = Filen är inte ett kalkylblad av den sort som namnet säger ({ $detail }).
sheet-password = Arbetsboken är lösenordsskyddad. Spara den utan lösenord och importera den kopian.
sheet-damaged = Filen är skadad eller ofullständig: { $detail }
sheet-too-big = Filen är för stor att importera: { $detail }
sheet-empty = Filen är tom: den har ingen rubrikrad.
sheet-cancelled = Läsningen avbröts.

## writing

sheet-write-xlsx = Arbetsboken kunde inte skrivas: { $error }
sheet-write-file = Filen kunde inte skrivas: { $error }

## mail

mail-folder = Utkorgsmappen { $path } kan inte skapas: { $error }
mail-smtp-settings = SMTP-inställningarna går inte att använda: { $detail }

## keyring

mail-keyring = Lösenordet kunde inte sparas i systemets nyckelring ({ $detail }). Ange miljövariabeln HRM_USERS_SMTP_PASSWORD i stället.

## endpoint

endpoint-bind = Verifieringstjänsten kan inte lyssna på { $address }: { $error }. Välj en annan lyssningsadress under Inställningar.
endpoint-start = Verifieringstjänsten kunde inte starta: { $error }

## presets

settings-locked-hint = Låst av er IT-administratör för den här datorn
settings-locked-note = Låst av er IT-administratör för den här datorn ({ $file }): { $names }.

## bulk results details

bulk-detail-verified-domain = verifierad domän
bulk-detail-adopted = köat av ett tidigare utskick, inte skapat igen; { $words }
bulk-detail-cancelled-before = utskicket avbröts före den här användaren
status-connection-deleted-invited = Kopplingen till Visma Connect för { $user } är borttagen. Förberedelsefas: en inbjudan att koppla igen under Min profil › Säkerhet och inloggning är köad till { $address }.
status-connection-deleted-no-email = Kopplingen till Visma Connect för { $user } är borttagen. Förberedelsefas, men { $user } har ingen E-post att bjuda in till: ange den nya Visma Connect-adressen själv.
message-relink = Inbjudan att koppla igen
audit-relink-invitation-queued = Inbjudan att koppla igen köad (förberedelsefas)
audit-relink-requested = Den anställda angav en ny adress under Säkerhet och inloggning
audit-new-link-requested = Den anställda bad om en ny länk
settings-visma-connect = Visma Connect
settings-phase = Fas
settings-phase-preparation = Förberedelse
settings-phase-live = Drift
settings-phase-note = Förberedelse: Ta bort koppling skickar också användaren (till E-post) en inbjudan att själv koppla igen under Min profil › Säkerhet och inloggning. Drift: du anger och verifierar den nya adressen.
field-employment-ends = Anställning upphör
    .hint = Sista anställningsdagen, som ÅÅÅÅ-MM-DD. Några dagar efter den (Inställningar › Visma Connect) tas kopplingen till Visma Connect bort.
field-date-invalid = Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2027-01-31.
import-date-invalid = Anställning upphör "{ $cell }" är inte ett datum (ÅÅÅÅ-MM-DD): behölls som det var.
audit-leaver-connection-removed = Kopplingen borttagen: anställningen har upphört
audit-leaver-connection-removed-details = Kopplingen borttagen ({ $address }): anställningen upphörde { $ended }
settings-remove-after = Ta bort kopplingen (dagar efter Anställning upphör)
permission-users-read = Användarvyn: läsa
permission-users-edit = Användarvyn: ändra
permission-verify-accounts = Verifiera konton
permission-import-export = Importera och exportera
permission-settings = Inställningar
permission-roles = Roller
role-system-administrator = Systemadministratör
    .description = Allt: användare, Verifiera konton, import och export, inställningar och roller.
role-hr-administrator = HR-administratör
    .description = Användarvyn, Verifiera konton, import och export.
role-read-only = Endast läsa
    .description = Ser användare; ändrar ingenting.
assignment-dates-reversed = Giltig till är före Giltig från.
assignment-unknown-role = Det finns ingen roll { $role }.
assignment-last-system-administrator = Registret måste ha kvar en systemadministratör: ändringen skulle ta bort den sista.
assignment-first-administrator-not-you = Ingen är systemadministratör än: den första måste vara du, annars förlorar du dina egna behörigheter direkt. Ge dig själv rollen först (Gör mig till systemadministratör) och ge den sedan till andra.
assignment-beyond-your-own = Du kan inte ge rollen { $role }: den ger { $permission } utöver det du själv har (dina roller, inom dina avdelningar och kontor).
audit-roles-changed = Roller ändrade
audit-roles-now = Roller ändrade; nu: { $roles }
audit-roles-none = Roller ändrade; nu inga
form-tab-authorisations = Behörigheter
authorisations-note = Användarens roller avgör vad hen får göra i HRM Users. Ändringar sparas med Spara (Ctrl+S).
authorisations-none = Inga roller.
authorisations-remove = Ta bort
    .hint = Ta rollen { $role } från användaren (när du sparar)
authorisations-add = Lägg till roll
authorisations-choose = Välj…
authorisations-valid-from = Giltig från
authorisations-valid-to = Giltig till
authorisations-departments = Avdelningar
authorisations-offices = Kontor
authorisations-all = allt rollen tillåter (kommaseparerat för att begränsa)
status-form-not-saved = Inget sparades: { $reason }
toolbar-go-to-roles = Gå till roller
    .hint = Användare/Behörigheter › Roller: vad varje roll tillåter och vem som har den (visad användare markeras)
roles-title = Användare/Behörigheter › Roller
roles-marked = Understrukna: rollerna för { $user }.
roles-list = Roller
roles-built-in = Inbyggd roll: den kan inte ändras eller tas bort; Kopiera gör en som du kan ändra.
roles-all = alla
roles-permissions = Behörigheter
roles-members = { $count ->
    [one] 1 medlem
   *[other] { $count } medlemmar
}
roles-everywhere = alla avdelningar och kontor
roles-always = alltid
operator-missing-permission = Du ({ $login }, användare { $user_id }) har inte behörigheten { $permission }. Be en systemadministratör om en roll med den.
operator-not-a-user = Du ({ $login }) är inte en HRM-användare med Alias användar-ID { $login }, så du har inte behörigheten { $permission }. Fråga en systemadministratör.
operator-no-administrator = Ingen är systemadministratör ännu, så alla får göra allt. Gör dig själv till systemadministratör först och ge sedan roller till andra under fliken Behörigheter.
roles-not-an-hrm-user = Du ({ $login }) är ingen HRM-användare: ingen användare har { $login } i fältet som anger vem som arbetar (Inställningar › Säkerhet). Lägg upp den användaren först.
roles-recover-not-owner = Bara registrets ägare kan återställa rollen systemadministratör: operativsystemkontot som äger registerfilen, eller databasrollen som äger det delade registrets tabeller.
roles-recovered = { $user_id } ({ $login }) är systemadministratör igen.
make-me-system-administrator = Gör mig till systemadministratör
    .hint = Ger dig rollen systemadministratör. Den första systemadministratören måste vara den som arbetar; sedan kan du ge roller till andra.
status-made-system-administrator = Du ({ $user_id }) är nu systemadministratör: rollerna gäller från och med nu.
audit-access-refused = Nekad: behörighet saknas
audit-access-refused-permission = Nekad: behörigheten { $permission } saknas
dimension-cost-centre = Kostnadsställe
dimension-project = Projekt
dimension-department = Avdelning
audit-right-no-dimension = Välj en kontodimension.
audit-right-no-code = Ange en kod.
audit-right-range-reversed = Intervallet { $from }–{ $to } slutar innan det börjar.
audit-right-unknown-code = { $dimension } har ingen kod { $code }.
audit-right-bad-limit = Beloppsgränsen { $limit } är inte ett heltal.
codes-file-missing-column = Filen har ingen kolumn { $column } (Dimension, Kod och Namn behövs).
codes-file-empty-cell = Rad { $row } saknar dimension eller kod.
audit-audit-rights-changed = Attest av kontering ändrad
audit-account-codes-imported = Kontokoder importerade
audit-right-row = Rad { $row }: { $error }
form-tab-audit = Attest av kontering
audit-tab-note = Vad användaren får attestera av konteringar: en kod eller ett kodintervall per kontodimension, med beloppsgräns om någon. Sparas med Spara (Ctrl+S).
audit-tab-none = Inget att attestera.
audit-tab-dimension = Kontodimension
audit-tab-code = Kod (från)
audit-tab-to-code = Till kod
    .hint = tom: bara koden
audit-tab-limit = Beloppsgräns
    .hint = tom: ingen gräns
audit-tab-add = Lägg till rad
operator-outside-limits = Du ({ $login }) har behörigheten { $permission } bara för andra avdelningar eller kontor, inte för { $department } / { $office }.
skip-employment-ended = anställningen har upphört
    .sentence = Användarens anställning har upphört (Anställning upphör): inget verifieringsmejl skickas.
bulk-line-skipped-employment-ended = Hoppas över: anställningen har upphört
settings-operator-field = Den som arbetar är användaren vars fält är lika med inloggningsnamnet:
settings-operator-user-id = Användar-ID
settings-operator-email = E-post (före @)
delete-connection-invites = Förberedelsefas: en inbjudan att koppla igen under Min profil › Säkerhet och inloggning skickas till { $address }.
delete-connection-no-email = Förberedelsefas, men användaren har ingen E-post: du behöver själv ange den nya adressen.
roles-new = Ny roll
    .hint = Skapa en roll med de behörigheter du väljer
roles-copy = Kopiera
    .hint = Skapa en ny roll utifrån den valda
roles-copy-name = Kopia av { $name }
roles-delete = Ta bort roll
    .hint = Ta bort den valda rollen (inte medan någon har den)
roles-delete-question = Ta bort rollen { $name }?
roles-delete-yes = Ja, ta bort den
roles-deleted = Rollen { $name } är borttagen.
roles-saved = Rollen { $name } är sparad.
roles-unsaved = Spara eller ångra rollens ändringar först.
roles-name = Namn
roles-description = Beskrivning
roles-limits-note = Avdelningar och kontor: skilj med kommatecken; tomt för alla.
roles-departments-of = Avdelningar där { $permission } gäller
roles-offices-of = Kontor där { $permission } gäller
roles-save = Spara roll
roles-undo = Ångra ändringar
role-name-missing = Ange rollens namn.
role-name-too-long = Namnet får vara högst { $max } tecken.
role-name-taken = Det finns redan en roll som heter { $name }.
role-no-permission = Välj minst en behörighet.
role-built-in = Inbyggda roller kan inte ändras eller tas bort; kopiera en i stället.
role-assigned = { $count ->
    [one] En användare har rollen: ta bort den från användaren först.
   *[other] { $count } användare har rollen: ta bort den från dem först.
}
audit-role-saved = Roll sparad
audit-role-deleted = Roll borttagen
audit-idp-pushed = Kontot i identitetsleverantören uppdaterat
audit-idp-failed = Överföringen till identitetsleverantören misslyckades
skip-outside-limits = utanför dina avdelningar och kontor
    .sentence = Dina roller tillåter inte Verifiera konton för användarens avdelning och kontor.
bulk-line-skipped-outside-limits = Hoppas över: utanför dina avdelningar och kontor
sheet-problem = { $sheet }, rad { $row }: { $message }
sheet-missing-column = bladet saknar kolumnen { $column }; inget i det importeras
sheet-role-id-empty = kolumnen Roll är tom
sheet-unknown-permission = "{ $permission }" är ingen behörighet (Användarvyn: läsa, Användarvyn: ändra, Verifiera konton, Importera och exportera, Inställningar, Roller)
sheet-unknown-user = det finns ingen användare med användar-ID { $user_id }; raderna importeras inte
sheet-authorisations-summary = Behörigheter: { $roles } roller sparade, { $assignments } användares roller satta, { $audit } användares rader för attest av kontering satta
sheet-authorisations-refused = { $sheet }: importeras inte: { $reason }
import-button-changes =
    { $count ->
        [one] Importera { $count } ändring
       *[other] Importera { $count } ändringar
    }
audit-tab-import-codes = Importera kontokoder…
    .hint = Läs registrets kontodimensioner och koder från ett kalkylark (kolumnerna Dimension, Kod, Namn)
codes-import-title = Importera kontokoder
codes-import-text = Ett kalkylark med kolumnerna Dimension, Kod och Namn (även Code, Name). En kod som redan finns får filens namn; inget tas bort.
codes-import-button = Importera koder
import-backup-shared = Säkerhetskopia: detta är ett delat register, så PostgreSQL-serverns egna säkerhetskopior gäller; programmet gör ingen kopia. Importen blir av helt eller inte alls.
import-backup-file = Säkerhetskopia: en kopia av registerfilen sparas bredvid den innan importen. Importen blir av helt eller inte alls.
import-backup-failed = Registret kunde inte säkerhetskopieras före importen, så ingenting importerades: { $error }
task-failed = Arbetet ({ $task }) misslyckades oväntat; inget mer gjordes. Loggen har detaljerna.
task-not-started = Arbetet ({ $task }) kunde inte startas: { $error }
sheet-stage-exporting = Exporterar
sheet-stage-saving = Sparar filen
scim-off = Överföring till identitetsleverantören är avstängd, eller så saknas SCIM-adress (Inställningar › Identitetsleverantör).
scim-no-token = Ingen SCIM-token: spara den under Inställningar › Identitetsleverantör (den sparas i nyckelringen), eller sätt { $variable } för serve och skript.
scim-no-secret = Ingen OAuth-klienthemlighet: spara den under Inställningar › Identitetsleverantör (den sparas i nyckelringen), eller sätt { $variable }.
idp-gave-up = gav upp efter { $attempts } försök: { $error }
idp-test-failed = SCIM-servern kunde inte läsas: { $error }
idp-yes = ja
idp-no = nej
idp-features = Servern svarar. PATCH: { $patch }, filter: { $filter }, bulk: { $bulk }, ETag: { $etag }, User-schema: { $schema }.
form-idp-active = Konto i identitetsleverantören: aktivt sedan { $since }
form-idp-waiting = Konto i identitetsleverantören: väntar på att skickas
form-idp-deactivated = Konto i identitetsleverantören: inaktiverat { $since }
form-idp-none = Konto i identitetsleverantören: inget
form-idp-failed = Konto i identitetsleverantören: misslyckades: servern svarade { $reason }
form-idp-try-again = Försök igen
status-idp-try-again = Kontot skickas till identitetsleverantören igen.
settings-idp = Identitetsleverantör
settings-idp-note = När det är på görs varje kopplad användares konto i identitetsleverantören (Visma Connect, Entra ID, Keycloak eller annan SCIM 2.0-server) aktivt, hålls aktuellt och stängs när kopplingen tas bort.
settings-idp-provisioning = Överföring
settings-idp-off = Av
settings-idp-scim = SCIM 2.0
settings-idp-base-url = SCIM-adress
settings-idp-token-url = OAuth-tokenadress (valfri)
settings-idp-client-id = OAuth-klient-id
settings-idp-secret = Token eller klienthemlighet
settings-idp-secret-hint = sparas i nyckelringen
settings-idp-on-disconnect = När kopplingen tas bort
settings-idp-deactivate = Inaktivera kontot
settings-idp-delete = Ta bort kontot
settings-idp-test = Testa anslutningen
settings-idp-sync = Synkronisera nu
    .hint = Jämför de kopplade användarna med leverantörens konton och rättar skillnaderna (den första synkroniseringen är den första överföringen)
settings-idp-keyring = Token kunde inte sparas i nyckelringen: { $error }
bulk-detail-with-idp = { $details }; konto i identitetsleverantören: { $state }
idp-state-none = inget
idp-state-waiting = väntar på att skickas
idp-state-active = aktivt
idp-state-deactivated = inaktiverat
idp-state-failed = misslyckades
lose-rights-title = Du förlorar dina egna behörigheter
lose-rights-text = Efter att du sparat har du inte längre: { $lost }. Bara någon som har dem kan ge tillbaka dem. Spara ändå?
lose-rights-save = Spara ändå
bulk-nothing-to-do-button = Inget att skicka
bulk-connect-button =
    { $count ->
        [one] Koppla { $count } direkt
       *[other] Koppla { $count } direkt
    }
bulk-send-and-connect-button = Skicka { $send } och koppla { $connect } direkt
settings-time-zone = Tidszon för rollernas datum (t.ex. Europe/Stockholm)
form-loading = Läser in…
form-saving = Sparar…
form-working = Arbetar…
status-still-working = Registret arbetar fortfarande med den förra ändringen; försök igen om en stund.
status-register-not-answering = Det delade registret har inte svarat på { $seconds } s (nätverket eller servern); fönstret fortsätter att fungera och formuläret fylls i när det svarar.
status-word-error = Fel:
status-word-done = Klart:
stored-not-sent-verified-domain = inte skickat: kopplat via verifierad domän
stored-not-sent-newer-verification = inte skickat: en nyare verifiering ersatte det
stored-not-sent-deactivated = inte skickat: användaren avaktiverades
stored-not-sent-connection-deleted = inte skickat: kopplingen togs bort
stored-not-sent-newer-invitation = inte skickat: en nyare inbjudan ersatte den
stored-not-sent-changed-meanwhile = inte skickat: adressen ändrades, kopplades eller avaktiverades under tiden
stored-not-sent-no-longer-connected = inte skickat: användaren är inte längre kopplad med denna adress
stored-not-sent-user-changed-meanwhile = inte skickat: användaren kopplades, avaktiverades eller fick ändrad e-post under tiden
stored-not-sent-user-deleted = inte skickat: användaren togs bort
stored-not-sent-employment-ended = inte skickat: användarens anställning har upphört
stored-not-sent-cancelled = inte skickat: utskicket avbröts
stored-not-sent-import = inte skickat: adressen ändrades av en import
stored-not-sent-not-recorded = inte skickat: registret kunde inte notera att det skickades
stored-actor-outbox-worker = utkorgen
stored-actor-employee-link = medarbetaren (verifieringslänk)
stored-actor-employee-relink = medarbetaren (Säkerhet och inloggning)
stored-actor-employee-new-link = medarbetaren (begäran om ny länk)
stored-actor-leaver-rule = regeln för avslutade anställningar
stored-actor-idp-push = identitetsleverantören
stored-saved-as = sparat som { $path }
user-id-taken = Användar-ID { $user_id } används redan av en annan användare.
import-status-create = skapas
import-status-update = ändras
import-status-unchanged = oförändrad
import-status-rejected = avvisas
about-keyring-windows = Windows Autentiseringshanteraren
about-keyring-macos = macOS Nyckelring
about-keyring-linux = Secret Service (GNOME-nyckelring eller KWallet), eller HRM_USERS_SMTP_PASSWORD

# Varför ett inställningsvärde inte godtogs (Inställningar och `config set`).
setting-error-smtputf8-checked = ska vara tomt, eller värd:port yes|no
setting-error-domain = { $domain } är inget domännamn: bokstäver, siffror och bindestreck, med en punkt före sista delen, som i foretaget.se
setting-error-ip = { $value } är inte en IP-adress (som 10.0.0.5)
setting-error-number = ska vara ett heltal från { $low } till { $high }
setting-error-url = ska vara en adress som börjar med https:// (eller http://)
setting-error-empty = får inte vara tomt
setting-error-time-zone = ska vara namnet på en tidszon, som Europe/Stockholm
setting-error-one-line = ska vara en rad, utan radbrytningar eller styrtecken
setting-error-too-long = får vara högst { $most } tecken
setting-error-one-of = ska vara något av: { $values }
setting-error-host = ska vara ett värdnamn, som smtp.company.se
setting-error-bind = ska vara en adress och port, som 0.0.0.0:8480

# Names offered when saving a file.
file-export-name = användare-{ $stamp }.xlsx
file-template-name = Mall anställda-användare.xlsx
file-results-name = verifiera-konton-resultat-{ $stamp }.xlsx
file-import-report-name = importrapport-{ $stamp }.xlsx
services-worker-not-started = Utkorgen startade inte: { $error }
