#include "record.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

char *sess_record_play(const struct ad_play *p)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "terminal", p->terminal);
    json_add_int(o, "playlist", p->playlist);
    cJSON_AddStringToObject(o, "slide", p->slide);
    if (strlen(p->sha256) == 64) {
        char grouped[72];
        for (int g = 0; g < 8; g++)
            snprintf(grouped + 9 * g, sizeof grouped - 9 * g, "%.8s%s", p->sha256 + 8 * g,
                     g < 7 ? " " : "");
        cJSON_AddStringToObject(o, "sha256", grouped);
    } else {
        cJSON_AddStringToObject(o, "image", p->image);
    }
    json_add_int(o, "start_ms", p->start_ms);
    json_add_int(o, "shown_ms", p->shown_ms);
    cJSON_AddBoolToObject(o, "interrupted", p->interrupted);
    return json_print_free(o);
}
