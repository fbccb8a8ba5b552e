# Golden screenshots (docs/scripts.md, "Golden screenshots"): the environment of every run
# whose screenshots are compared with the references in tests/golden/, and the function
# that adds a scenario's comparison. Included by tests/CMakeLists.txt before the test folders.
set(KIOSK_GOLDEN_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIOSK_GOLDEN_FONTS ${KIOSK_GOLDEN_DIR}/fonts.sha256)
set(KIOSK_GOLDEN_BIN ${CMAKE_BINARY_DIR}/golden)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KIOSK_GOLDEN_FONTS})

# The test wall clock: business time starts at Monday 2026-11-23 10:00:00 in China
# (02:00 UTC), so transaction numbers and receipts carry the same date on every run; TZ
# fixes the local time receipts print.
set(KIOSK_GOLDEN_EPOCH 1795399200)
set(KIOSK_GOLDEN_TZ CST-8)

# The fonts: a private fontconfig set-up that knows only the files listed in fonts.sha256
# (links to them), so the kiosk finds exactly those, Simplified Chinese face and real bold
# as in production, whatever else the machine has installed.
file(STRINGS ${KIOSK_GOLDEN_FONTS} _golden_font_lines REGEX "^[0-9a-f]+  /")
file(REMOVE_RECURSE ${KIOSK_GOLDEN_BIN}/fonts)
file(MAKE_DIRECTORY ${KIOSK_GOLDEN_BIN}/fonts)
set(_golden_fonts_missing "")
foreach(_l ${_golden_font_lines})
  string(SUBSTRING "${_l}" 66 -1 _path)
  get_filename_component(_file "${_path}" NAME)
  if(EXISTS "${_path}")
    file(CREATE_LINK "${_path}" "${KIOSK_GOLDEN_BIN}/fonts/${_file}" SYMBOLIC)
  else()
    list(APPEND _golden_fonts_missing "${_path}")
  endif()
endforeach()
file(WRITE ${KIOSK_GOLDEN_BIN}/fonts.conf
  "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n"
  "<!-- written by tests/golden/golden.cmake: only the fonts of tests/golden/fonts.sha256 -->\n"
  "<fontconfig>\n  <dir>${KIOSK_GOLDEN_BIN}/fonts</dir>\n"
  "  <cachedir>${KIOSK_GOLDEN_BIN}/fontcache</cachedir>\n</fontconfig>\n")
set(KIOSK_GOLDEN_ENV "KIOSK_TEST_EPOCH=${KIOSK_GOLDEN_EPOCH}" "TZ=${KIOSK_GOLDEN_TZ}")
set(_golden_env_sh "export KIOSK_TEST_EPOCH=\${KIOSK_TEST_EPOCH:-${KIOSK_GOLDEN_EPOCH}}\n"
                   "export TZ=\${TZ:-${KIOSK_GOLDEN_TZ}}\n")
if(_golden_fonts_missing)
  # The kiosk then finds its fonts as usual; the golden checks fail and say why.
  message(WARNING "golden screenshots: font files missing: ${_golden_fonts_missing} "
                  "(Debian 12: apt-get install fonts-noto-cjk); the golden tests will fail")
else()
  list(APPEND KIOSK_GOLDEN_ENV "FONTCONFIG_FILE=${KIOSK_GOLDEN_BIN}/fonts.conf")
  string(APPEND _golden_env_sh
         "export FONTCONFIG_FILE=\${FONTCONFIG_FILE:-${KIOSK_GOLDEN_BIN}/fonts.conf}\n")
endif()
# The same for shell scripts (tests/harness/with_station.sh sources it).
file(WRITE ${KIOSK_GOLDEN_BIN}/env.sh
  "# written by tests/golden/golden.cmake: the environment of golden-screenshot runs\n"
  ${_golden_env_sh})

# kiosk_golden_scenario(NAME SCRIPT OUT_DIR): test golden_NAME compares the screenshots
# that test scenario_NAME wrote to OUT_DIR (SCRIPT's `shot` steps) with tests/golden/NAME/;
# ctest runs scenario_NAME first (a fixture), also for `ctest -R golden_NAME`.
function(kiosk_golden_scenario name script out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${script})
  file(STRINGS ${script} _shots REGEX "^[ \t]*shot[ \t]")
  if(NOT _shots AND NOT EXISTS ${KIOSK_GOLDEN_DIR}/${name})
    return()
  endif()
  set_tests_properties(scenario_${name} PROPERTIES FIXTURES_SETUP shots_${name})
  add_test(NAME golden_${name}
    COMMAND $<TARGET_FILE:golden-cmp> --fonts ${KIOSK_GOLDEN_FONTS} --script ${script}
            --ref ${KIOSK_GOLDEN_DIR}/${name} --out ${out})
  set_tests_properties(golden_${name} PROPERTIES FIXTURES_REQUIRED shots_${name}
    LABELS golden TIMEOUT 60)
endfunction()
