/* Money is int64 fen, volume int64 millilitres. Never floating point.
 * Rounding rule (used everywhere a price times a volume is computed):
 * amount_fen = round_half_up(price_fen_per_litre * volume_ml / 1000). */
#ifndef KIOSK_CORE_MONEY_H
#define KIOSK_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Writes "¥1,234.56" (or "-¥0.05") into buf. Returns buf; truncates safely if cap is small. */
char *money_format(int64_t fen, char *buf, size_t cap);
/* Writes "45.12 L" from millilitres (rounded half up to centilitres). */
char *volume_format(int64_t ml, char *buf, size_t cap);
/* Parses "1234", "1234.5", "1,234.56" (optional leading ¥) into fen.
 * Returns 0 on success, -1 on malformed text, more than 2 decimals or overflow. */
int money_parse(const char *text, int64_t *fen);
/* price (fen per litre) * volume (ml), rounded half up to the fen. -1 on overflow. */
int64_t money_mul_volume(int64_t price_fen_per_l, int64_t volume_ml);

#endif
