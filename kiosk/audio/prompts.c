/* The spoken prompts: one line each, the clip's id and its words. Screens name a prompt by
 * its id (struct ui_tree's `prompt`); the words are message ids like every other string on
 * screen, translated in i18n/<lang>.po, and the clips are generated from those translations
 * (tools/voice-gen.sh). A recording replaces a generated clip by taking its file name,
 * so an id never changes once a kiosk is in the field. Where a screen already says the same
 * words, its message id is reused. */
#include <string.h>

#include "audio/voice.h"
#include "core/i18n.h"

const struct voice_prompt voice_prompts[] = {
    /* the session */
    {"choose_service", N_("Choose a service")},
    {"more_time", N_("Need more time?")},
    /* pay for fuel and shop */
    {"pick_pump", N_("Please choose your pump.")},
    {"pick_sale", N_("Please choose which sale is yours.")},
    {"check_bill", N_("Please check your bill, then choose how to pay.")},
    {"scan_items", N_("Please scan each item's barcode, then choose how to pay.")},
    {"member_sign_in", N_("Scan your member QR code at the scanner, or type your mobile number.")},
    {"member_offers", N_("Choose your coupons and points, then tap Continue to pay.")},
    {"no_printer", N_("The receipt printer cannot print now. You can still pay and get your receipt on the screen.")},
    {"show_code", N_("Please show your payment code to the scanner below the screen.")},
    {"scan_qr", N_("Please scan the QR code on the screen with your phone to pay.")},
    {"confirm_on_phone", N_("Please confirm the payment on your phone.")},
    {"paid_take_receipt", N_("Payment successful. Please take your receipt.")},
    {"paid_e_receipt", N_("Payment successful. Please scan the code on the screen for your receipt.")},
    {"not_charged", N_("Payment not completed. Nothing was charged.")},
    {"refunded", N_("Payment cancelled. The money goes back to where it came from.")},
    {"ask_counter", N_("The payment is not finished. Please keep your transaction number, or ask at the counter.")},
    /* the notice after a restart in the middle of a payment */
    {"notice_checking", N_("Checking your last payment")},
    {"notice_paid", N_("Your payment went through")},
    {"notice_not_paid", N_("No money was taken")},
    {NULL, NULL},
};

const struct voice_prompt *voice_prompt_find(const char *id)
{
    for (const struct voice_prompt *p = voice_prompts; id && p->id; p++)
        if (!strcmp(p->id, id))
            return p;
    return NULL;
}
