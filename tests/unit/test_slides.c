/* The attract slideshow's manifests: the keys of proof of play (id, seconds, sha256), and a
 * pushed playlist's folder loaded for real (its images relative to it, reached from
 * assets/), good and each kind of bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "slides.h"

static const char *src(void)
{
    const char *s = getenv("KIOSK_SRC");
    return s ? s : ".";
}

static void keys_of_play(void **state)
{
    (void)state;
    static struct slides s;
    char err[300];
    assert_int_equal(slides_parse(&s,
                                  "[slide1]\nimage = a.png\nid = summer-92.v2\nseconds = 3\n"
                                  "sha256 = 0123456789ABCDEF0123456789abcdef0123456789abcdef"
                                  "0123456789ABCDEF\n"
                                  "[slide2]\nimage = b.png\nseconds = 60\n",
                                  "t.ini", err, sizeof err),
                     0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0].id, "summer-92.v2");
    assert_int_equal(s.v[0].seconds, 3);
    assert_string_equal(s.v[0].sha256,
                        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_string_equal(s.v[1].id, "slide2"); /* by default */
    assert_int_equal(s.v[1].seconds, 60);
    assert_string_equal(s.v[1].sha256, "");
    /* the installed manifest reads as before: three slides of the default length */
    char path[512];
    snprintf(path, sizeof path, "%s/assets/ads/slides.ini", src());
    char assets[512];
    snprintf(assets, sizeof assets, "%s/assets", src());
    assert_int_equal(slides_load(&s, path, assets, err, sizeof err), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[2].id, "slide3");
    assert_int_equal(s.v[2].seconds, 0);
    assert_string_equal(s.v[0].path, "ads/pay.png");
}

static void keys_refused(void **state)
{
    (void)state;
    static const struct {
        const char *ini, *why;
    } bad[] = {
        {"[slide1]\nid = \n", "id"},
        {"[slide1]\nid = a b\n", "id"},
        {"[slide1]\nid = café\n", "id"},
        {"[slide1]\nid = a/b\n", "id"},
        {"[slide1]\nid = 123456789012345678901234567890123\n", "id"},
        {"[slide1]\nid = ad1234567890123456\n", "16 digits"},
        {"[slide1]\nseconds = 2\n", "seconds"},
        {"[slide1]\nseconds = 61\n", "seconds"},
        {"[slide1]\nseconds = 5s\n", "seconds"},
        {"[slide1]\nseconds = \n", "seconds"},
        {"[slide1]\nseconds = 99999999999999999999\n", "seconds"},
        {"[slide1]\nsha256 = abc\n", "sha256"},
        {"[slide1]\nsha256 = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n",
         "sha256"},
        {"[slide1]\nsha256 = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\n",
         "sha256"},
        {"[slide1]\nimage = ad-20261123101500123.png\n", "image"},
        /* a control character: the record would escape it as \u0006, digits after digits */
        {"[slide1]\nimage = a\x06" "123456789012345.png\n", "image"},
        {"[slide1]\nimage = a\xff.png\n", "image"},
        {"[slide1]\nid = a\n[slide2]\nid = a\n", "same id 'a'"},
        {"[slide1]\nimage = a.png\n[slide2]\nid = slide1\n", "same id 'slide1'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        static struct slides s;
        char err[300] = "";
        assert_int_equal(slides_parse(&s, bad[i].ini, "t.ini", err, sizeof err), -1);
        if (!strstr(err, bad[i].why))
            fail_msg("%s: '%s' does not say '%s'", bad[i].ini, err, bad[i].why);
    }
}

static void rel_paths(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"/usr/share/kiosk/assets", "/var/lib/kiosk/ads/3", "../../../../var/lib/kiosk/ads/3"},
        {"/srv/kiosk/assets", "/srv/kiosk/ads/3", "../ads/3"},
        {"/a/b", "/a/bc", "../bc"},
        {"/a/b", "/a/b/c", "c"},
        {"/a/b/c", "/a/b", ".."},
        {"/a/b", "/a/b", "."},
        {"/", "/x/y", "x/y"},
        {"/x/y", "/", "../.."},
    };
    char out[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(slides_rel_path(cases[i][0], cases[i][1], out, sizeof out), 0);
        assert_string_equal(out, cases[i][2]);
    }
    char small[8];
    assert_int_equal(slides_rel_path("/a/b/c/d", "/x", small, sizeof small), -1);
    assert_int_equal(slides_rel_path("/a", "/a/bcdefghi", small, sizeof small), -1);
}

/* ---- a pushed playlist's folder ---------------------------------------------------------- */

static char tmp[256], assets[300];

static void put(const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A copy of the installed art: a real PNG. */
static void put_png(const char *name)
{
    char from[512], to[1024], buf[4096];
    snprintf(from, sizeof from, "%s/assets/ads/pay.png", src());
    snprintf(to, sizeof to, "%s/%s", tmp, name);
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    assert_non_null(a);
    assert_non_null(b);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    fclose(b);
}

static int folder_up(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/kiosk-slides-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(assets, sizeof assets, "%s/assets", src());
    return 0;
}

static int folder_down(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *const GOOD = "[slide1]\nid = one\nimage = one.png\nseconds = 4\n"
                                "title.zh_CN = 一\n"
                                "[slide2]\nimage = two.png\ntitle.en_US = Two\n";

static void pushed_good(void **state)
{
    (void)state;
    static struct slides s;
    char err[600];
    put("slides.ini", GOOD);
    put_png("one.png");
    put_png("two.png");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0].id, "one");
    assert_string_equal(s.v[1].id, "slide2");
    assert_string_equal(s.v[0].image, "one.png");
    /* the renderer reaches each image from assets/ */
    for (int i = 0; i < 2; i++) {
        char via[700], direct[512];
        struct stat a, b;
        snprintf(via, sizeof via, "%s/%s", assets, s.v[i].path);
        snprintf(direct, sizeof direct, "%s/%s", tmp, s.v[i].image);
        assert_int_equal(stat(via, &a), 0);
        assert_int_equal(stat(direct, &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        assert_int_equal(s.v[i].path[0] != '/', 1);
    }
    /* through a link to the folder: the folder it points to now */
    char link[300];
    snprintf(link, sizeof link, "%s.link", tmp);
    unlink(link);
    assert_int_equal(symlink(tmp, link), 0);
    assert_int_equal(slides_load_pushed(&s, link, assets, err, sizeof err), 0);
    assert_null(strstr(s.v[0].path, ".link"));
    unlink(link);
}

static void pushed_bad(void **state)
{
    (void)state;
    static struct slides s;
    char err[600], dir[300];
    /* no such folder */
    snprintf(dir, sizeof dir, "%s/none", tmp);
    assert_int_equal(slides_load_pushed(&s, dir, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "no such folder"));
    /* no manifest */
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open slide manifest"));
    /* a bad manifest: its line and why */
    put("slides.ini", "[slide1]\nimage = one.png\nseconds = 1\n");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "slides.ini:3: seconds"));
    /* an image missing */
    put("slides.ini", GOOD);
    put_png("one.png");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "[slide2] image"));
    assert_non_null(strstr(err, "two.png is missing or not a PNG"));
    /* an image that is not a PNG */
    put("two.png", "GIF89a, not a PNG");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "two.png is missing or not a PNG"));
    /* a slide without an image */
    put("slides.ini", "[slide1]\nimage = one.png\n[slide3]\nimage = one.png\n");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "[slide2] has no image"));
    /* no slides at all: never a blank attract screen */
    put("slides.ini", "; nothing\n");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "no slides"));
    /* an image out of the folder */
    put("slides.ini", "[slide1]\nimage = ../pay.png\n");
    assert_int_equal(slides_load_pushed(&s, tmp, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad path"));
    /* a path too long for the renderer */
    char deep[600];
    snprintf(deep, sizeof deep, "%s/%s", tmp,
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(mkdir(deep, 0755), 0);
    char name[700];
    snprintf(name, sizeof name, "%s/slides.ini", deep + strlen(tmp) + 1);
    put(name, "[slide1]\nimage = one.png\n");
    snprintf(name, sizeof name, "%s/one.png", deep + strlen(tmp) + 1);
    put_png(name);
    assert_int_equal(slides_load_pushed(&s, deep, assets, err, sizeof err), -1);
    assert_non_null(strstr(err, "too"));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_of_play),
        cmocka_unit_test(keys_refused),
        cmocka_unit_test(rel_paths),
        cmocka_unit_test_setup_teardown(pushed_good, folder_up, folder_down),
        cmocka_unit_test_setup_teardown(pushed_bad, folder_up, folder_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
