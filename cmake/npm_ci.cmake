# Runs `npm ci` for the HTML report's chart code and, when it fails (no registry, no network,
# a proxy in the way), says what to do instead of leaving only npm's own error. Run as a script
# in the directory that holds package.json and package-lock.json:
#
#   cmake -DNPM=/usr/bin/npm -P npm_ci.cmake
if(NOT DEFINED NPM)
  message(FATAL_ERROR "npm_ci.cmake: -DNPM=... is required")
endif()
execute_process(
  COMMAND ${NPM} ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR
    "`npm ci` could not fetch Chart.js for the HTML report (exit ${rc}; npm's message is above). "
    "It needs the npm registry (https://registry.npmjs.org, or the one `npm config get registry` "
    "names) or a filled npm cache. Make the registry reachable (network, proxy: `npm config set "
    "proxy ...`), or configure with -DWINBACK_CHARTS=OFF to build without chart code: reports "
    "then have tables only.")
endif()
