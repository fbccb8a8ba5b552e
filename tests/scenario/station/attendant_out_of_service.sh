# attendant_out_of_service: the setting was journaled and cleared; both changes audited.
check() {
    expect_eq "setting cleared" "$(q "SELECT count(*) FROM settings WHERE name='out_of_service'")" 0 || return 1
    expect_eq "audit: out of service" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='out_of_service'")" 1 || return 1
    expect_eq "audit: in service" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='in_service'")" 1 || return 1
    check_private 135790
}
