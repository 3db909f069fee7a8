# Included by transparency-log/CMakeLists.txt after candor_log is defined:
# compiles the explorer's web files (transparency-log/web/) into candor_log as
# byte arrays (see embed_assets.cmake and candor/log/explorer_routes.h).
file(GLOB CANDOR_EXPLORER_FILES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/../web/*.html
  ${CMAKE_CURRENT_LIST_DIR}/../web/*.js
  ${CMAKE_CURRENT_LIST_DIR}/../web/*.css
  ${CMAKE_CURRENT_LIST_DIR}/../web/*.svg
  ${CMAKE_CURRENT_LIST_DIR}/../web/*.png)
string(REPLACE ";" "|" candor_explorer_file_arg "${CANDOR_EXPLORER_FILES}")
set(candor_explorer_out ${CMAKE_CURRENT_BINARY_DIR}/explorer_assets.cc)
add_custom_command(
  OUTPUT ${candor_explorer_out}
  COMMAND ${CMAKE_COMMAND} -DOUT=${candor_explorer_out} -DFILES=${candor_explorer_file_arg}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  DEPENDS ${CANDOR_EXPLORER_FILES} ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  COMMENT "Embedding the log explorer's web assets"
  VERBATIM)
target_sources(candor_log PRIVATE ${candor_explorer_out})

# The same files, for serving the explorer from nginx or any static server
# (docs/EXPLORER.md): index.html at the root, the rest under explorer/.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../web/index.html
        DESTINATION ${CMAKE_INSTALL_DATADIR}/candor/explorer)
set(candor_explorer_others ${CANDOR_EXPLORER_FILES})
list(FILTER candor_explorer_others EXCLUDE REGEX "/index\\.html$")
install(FILES ${candor_explorer_others}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/candor/explorer/explorer)
