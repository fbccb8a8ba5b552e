/* The GA 467 SAM serial protocol of second-generation ID card readers, pure: frames built
 * and parsed, the 256-byte text block decoded, the ID number and the card's dates checked.
 * No I/O. Every parser here takes data from outside (the reader's wire) and has a unit test
 * (tests/unit/test_idframe.c) and a fuzz target (tests/fuzz/fuzz_idframe.c).
 *
 * Frame, both directions (lengths big-endian):
 *   AA AA AA 96 69 | LEN_H LEN_L | payload | CHK
 *   LEN = bytes after the LEN field, CHK included; CHK = XOR of LEN_H .. the byte before CHK
 *   command payload  = CMD PARA [data]
 *   response payload = SW1 SW2 SW3 [data]   (SW1 = SW2 = 00; SW3 the status, IDF_SW_*)
 * docs/idcard.md and ../shared/reference.md section 1 have the commands and the layout. */
#ifndef DRIVERS_IDCARD_IDFRAME_H
#define DRIVERS_IDCARD_IDFRAME_H

#include <stddef.h>
#include <stdint.h>

#define IDF_HEADER 7          /* AA AA AA 96 69 LEN_H LEN_L */
#define IDF_FRAME_MAX 2400    /* the longest frame taken (30 10 answers 0x090A + 7 bytes) */
#define IDF_TEXT_LEN 256      /* the text block */
#define IDF_PHOTO_LEN 1024    /* the WLT photo */
#define IDF_ADDR_LEN 70       /* an appended address (30 03), UCS-2LE */

/* Commands (CMD << 8 | PARA). */
#define IDF_CMD_FIND 0x2001
#define IDF_CMD_SELECT 0x2002
#define IDF_CMD_READ 0x3001      /* text + photo */
#define IDF_CMD_READ_ADDR 0x3003 /* the newest appended address */
#define IDF_CMD_SAM_STATUS 0x11FF

/* SW3 values. */
#define IDF_SW_OK 0x90
#define IDF_SW_FIND_OK 0x9F
#define IDF_SW_NO_CONTENT 0x91 /* nothing for this item (no appended address) */
#define IDF_SW_NO_CARD 0x80    /* find card failed */
#define IDF_SW_SELECT_FAILED 0x81
#define IDF_SW_READ_FAILED 0x41

/* Builds command `cmd` (IDF_CMD_*, no data) into out (cap >= 10): its length (10). */
size_t idf_command(uint16_t cmd, uint8_t *out, size_t cap);

enum idf_parse {
    IDF_MORE = 0,  /* a frame has begun and is not complete: read more */
    IDF_FRAME = 1, /* a whole frame with a good checksum: *used bytes, the payload in *p */
    IDF_BAD = -1,  /* bytes that cannot begin or be a frame (a bad checksum, a length under
                    * 4 or over IDF_FRAME_MAX - 7): drop *used bytes and look again */
};

/* A response frame's payload: status and data (pointing into the buffer given). */
struct idf_payload {
    uint8_t sw1, sw2, sw3;
    const uint8_t *data; /* after SW3 */
    size_t n;            /* data bytes (LEN - 4) */
};

/* Looks for one response frame at the start of buf[0..n): leading bytes that are not the
 * preamble are skipped (counted in *used with IDF_BAD). Never reads past n. */
enum idf_parse idf_parse(const uint8_t *buf, size_t n, size_t *used, struct idf_payload *p);

/* What the card is (byte 248 of the text block). */
enum id_kind {
    ID_KIND_RESIDENT = 0, /* the resident identity card (居民身份证) */
    ID_KIND_HMT = 1,      /* 'J': a residence permit for Hong Kong, Macau and Taiwan residents */
    ID_KIND_FOREIGN = 2,  /* 'I': a foreigner's permanent residence card: its layout differs
                           * (unverified), so it is refused as unreadable */
};

/* One card's text, decoded (UTF-8, padding spaces trimmed). Private: wipe after use
 * (idf_wipe). */
struct id_identity {
    enum id_kind kind;
    char name[64];        /* up to 15 characters */
    char sex;             /* '1' male, '2' female, '0' unknown, '9' unstated */
    char nation[3];       /* two digits ("01" Han); "" on a permit */
    char birth[9];        /* YYYYMMDD */
    char address[256];    /* the printed address, then the appended ones (newest last) */
    char id_no[19];       /* 18 characters, the last a digit or X */
    char authority[64];
    char valid_from[9];   /* YYYYMMDD */
    char valid_to[9];     /* YYYYMMDD, or "" when long-term (长期) */
    int long_term;        /* 1: valid_to was 长期 */
};

/* Decodes the 256-byte UCS-2LE text block. 0, or -1 with the reason in err: characters that
 * are not UCS-2 text, a field that is not what it must be (digits, dates), a foreigner's
 * card. Checks the form only; idf_check() checks the meaning. */
int idf_text(const uint8_t text[IDF_TEXT_LEN], struct id_identity *out, char *err,
             size_t errcap);
/* Appends a decoded appended address (70 bytes UCS-2LE from 30 03) to out->address, after a
 * space (a blank one appends nothing). 0, or -1 (not text, or it does not fit whole;
 * nothing appended). */
int idf_append_address(struct id_identity *out, const uint8_t addr[IDF_ADDR_LEN]);

enum idf_verdict {
    IDF_VALID = 0,
    IDF_BAD_NUMBER,  /* the check character or the date in the number is wrong */
    IDF_BAD_BIRTH,   /* the birth date field is not the number's */
    IDF_NOT_YET,     /* valid_from is after today */
    IDF_EXPIRED,     /* valid_to is before today */
    IDF_BAD_DATES,   /* a date that is not a date, or valid_to before valid_from */
};
/* Whether the card can be accepted on `today` (YYYYMMDD, China time; a `today` that is not
 * a date is IDF_BAD_DATES). The first that applies of, in this order: IDF_BAD_NUMBER,
 * IDF_BAD_BIRTH, IDF_BAD_DATES, IDF_NOT_YET, IDF_EXPIRED (long-term never expires). */
enum idf_verdict idf_check(const struct id_identity *id, const char *today);

/* The number is checked with core/codes.h code_id_valid() (GB 11643, ISO 7064 MOD 11-2, a
 * real birth date) and shown with mask_id() and mask_name(). */

/* Wipes an identity (explicit_bzero). */
void idf_wipe(struct id_identity *id);

#endif
