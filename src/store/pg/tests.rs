//! Tests of `store::pg`.

use super::credentials::pgpass_lookup;
use super::*;

#[test]
fn the_password_file_is_read_as_libpq_reads_it() {
    let text = "# comment\nother:5432:*:hr:nope\n*:5432:hrm:hr:pa\\:ss\nlocalhost:*:*:*:last\n";
    assert_eq!(
        pgpass_lookup(text, "db.example", "5432", "hrm", "hr").as_deref(),
        Some("pa:ss")
    );
    assert_eq!(
        pgpass_lookup(text, "localhost", "5433", "x", "y").as_deref(),
        Some("last")
    );
    assert_eq!(pgpass_lookup(text, "elsewhere", "1", "x", "y"), None);
}

#[test]
fn sslmode_and_the_ca_file_are_taken_out_of_the_url() {
    let (config, tls, root) =
        parse("postgres://hr@db.example/hrm?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem")
            .unwrap();
    assert_eq!(tls, Tls::Verified);
    assert_eq!(config.get_ssl_mode(), SslMode::Require);
    assert_eq!(root, Some(PathBuf::from("/etc/ca.pem")));
    assert_eq!(config.get_dbname(), Some("hrm"));
    assert!(parse("postgres://db/hrm?sslmode=sometimes").is_err());
    let (_, tls, _) = parse("postgres://db/hrm?sslmode=disable").unwrap();
    assert_eq!(tls, Tls::Disable);
}
