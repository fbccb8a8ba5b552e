# scan_everywhere: nothing was charged; the payment code is in no log and not in the journal.
check() {
    check_nothing_charged || return 1
    check_private 134567890123451234 "1345 6789"
}
