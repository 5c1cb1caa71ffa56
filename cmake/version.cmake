# The revision is taken at configure time; a fresh clone always configures, so CI reports it.
set(MESHWATCH_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE git_revision OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET RESULT_VARIABLE git_result)
  if(git_result EQUAL 0 AND git_revision)
    set(MESHWATCH_REVISION "${git_revision}")
  endif()
endif()
set(MESHWATCH_VERSION "${PROJECT_VERSION}")
