# Installation layout and the Debian package (`cpack -G DEB` in the build tree).
#
#   <prefix>/bin/meshwatch                          (the rule is in daemon/CMakeLists.txt)
#   <sysconf>/meshwatch/meshwatch.yaml              the default config; a conffile in the .deb
#   <prefix>/lib/systemd/system/meshwatch.service
#   <prefix>/lib/sysusers.d/meshwatch.conf
#   <prefix>/lib/tmpfiles.d/meshwatch.conf
#   <prefix>/share/meshwatch/                       deploy/** (example config, Prometheus, Grafana)
#   <prefix>/share/meshwatch/examples/systemd/      Mesher units, meshwatch drop-ins
#
# <sysconf> is /etc for the prefix /usr (the .deb) and <prefix>/etc otherwise, as GNUInstallDirs
# does. Both are decided at install time because CPack installs with a prefix of its own. The
# unit and tmpfiles sources name /usr/bin/meshwatch and /etc/meshwatch; installing to another
# prefix rewrites them, so `cmake --install build --prefix /opt/mw` yields a unit that runs
# /opt/mw/bin/meshwatch --config /opt/mw/etc/meshwatch/meshwatch.yaml.

# install(CODE) runs at install time, in declaration order: hand the later snippet its inputs.
install(CODE "set(meshwatch_source_dir \"${PROJECT_SOURCE_DIR}\")
set(meshwatch_staging_dir \"${CMAKE_BINARY_DIR}/packaging/install\")")
# A bracket argument: ${…} is expanded at install time, with the install-time prefix.
# file(INSTALL) prepends DESTDIR itself and records the files in the install manifest.
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(meshwatch_sysconfdir "/etc")
  else()
    set(meshwatch_sysconfdir "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
  # One staging directory per destination: `cmake --install` and cpack may run at the same time.
  string(MD5 destination "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
  set(meshwatch_staging_dir "${meshwatch_staging_dir}/${destination}")
  foreach(source meshwatch.service meshwatch.tmpfiles)
    file(READ "${meshwatch_source_dir}/systemd/${source}" text)
    string(REPLACE "/usr/bin/meshwatch" "${CMAKE_INSTALL_PREFIX}/bin/meshwatch" text "${text}")
    string(REPLACE "/etc/meshwatch" "${meshwatch_sysconfdir}/meshwatch" text "${text}")
    string(REPLACE "/usr/share/meshwatch" "${CMAKE_INSTALL_PREFIX}/share/meshwatch" text "${text}")
    file(WRITE "${meshwatch_staging_dir}/${source}" "${text}")
  endforeach()
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE
       FILES "${meshwatch_staging_dir}/meshwatch.service")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d" TYPE FILE
       FILES "${meshwatch_staging_dir}/meshwatch.tmpfiles" RENAME meshwatch.conf)
  # config/default.yaml is the text embedded in the binary (`meshwatch print-default-config`).
  file(INSTALL DESTINATION "${meshwatch_sysconfdir}/meshwatch" TYPE FILE
       FILES "${meshwatch_source_dir}/config/default.yaml" RENAME meshwatch.yaml)
]])
install(FILES systemd/meshwatch.sysusers DESTINATION lib/sysusers.d RENAME meshwatch.conf)
install(DIRECTORY deploy/ DESTINATION share/meshwatch)
install(DIRECTORY systemd/examples/ DESTINATION share/meshwatch/examples/systemd)

# --- the .deb ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME meshwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "meshwatch maintainers <meshwatch@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "stability monitor for the Mesher error-monitoring server")
set(CPACK_PACKAGE_DESCRIPTION
    "meshwatch runs synthetic probes against every Mesher HTTP route and WebSocket path, checks \
that writes land in PostgreSQL, watches the Mesher process and its console output, groups what \
happens into incidents, and exports health, latency and crash metrics to Prometheus.")
# Absolute destinations (/etc/meshwatch) need DESTDIR-style staging.
set(CPACK_SET_DESTDIR ON)
# With DESTDIR staging CPack installs with CPACK_INSTALL_PREFIX; the .deb is laid out for /usr.
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the binary's shared libraries (dpkg-shlibdeps; needs the `file` tool).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The unit, sysusers and tmpfiles need systemd; without it postinst falls back to useradd.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS systemd)
# CPack does not mark /etc files as conffiles by itself (debhelper would).
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "/etc/meshwatch/meshwatch.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/conffiles
    ${PROJECT_SOURCE_DIR}/systemd/debian/postinst
    ${PROJECT_SOURCE_DIR}/systemd/debian/prerm
    ${PROJECT_SOURCE_DIR}/systemd/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
