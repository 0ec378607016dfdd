#!/usr/bin/env bash
# Regenerates the settings table of docs/configuration.md from the declarations in
# app/src/main/java/org/bookcreator/app/Setting.java (SettingsTest fails while the two disagree).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
UPDATE_CONFIG_DOC=1 ./mvnw -B -q -pl app -am test \
  -Dtest='SettingsTest#everySetting_isDocumented*' -Dsurefire.failIfNoSpecifiedTests=false
echo "docs/configuration.md: settings table regenerated"
