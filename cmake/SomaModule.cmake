# A module is one folder under src/ built as a static library soma_<name>.
# Tests link just the modules they exercise; libsoma.so is all modules together.
set_property(GLOBAL PROPERTY SOMA_MODULES "")

# soma_add_module(<name> DEPS <modules...> LIBS <external targets...>)
# Sources are every .cpp under src/<name>/; *.simd.cpp files are compiled once per
# instruction-set level (cmake/SomaKernels.cmake).
function(soma_add_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(kernels ${sources})
  list(FILTER kernels INCLUDE REGEX "\\.simd\\.cpp$")
  list(FILTER sources EXCLUDE REGEX "\\.simd\\.cpp$")
  soma_kernel_sources(kernel_wrappers ${kernels})
  list(APPEND sources ${kernel_wrappers})
  if(NOT sources)
    message(STATUS "module ${name}: no sources yet, skipped")
    return()
  endif()
  add_library(soma_${name} STATIC ${sources})
  target_include_directories(soma_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(soma_${name} PRIVATE ${SOMA_WARNINGS} ${SOMA_OPT_FLAGS})
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(soma_${name} PUBLIC soma_${dep})
  endforeach()
  target_link_libraries(soma_${name} PUBLIC ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY SOMA_MODULES soma_${name})
  set_property(GLOBAL APPEND PROPERTY SOMA_EXTERNAL_LIBS ${M_LIBS})
endfunction()

# soma_add_test(<name> DEPS <modules...> [LIBS ...]) : tests/<name>/*.cpp -> one
# GoogleTest executable test_<name>, registered with CTest.
function(soma_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "DEPS;LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(test_${name} ${sources})
  target_compile_options(test_${name} PRIVATE ${SOMA_WARNINGS} ${SOMA_OPT_FLAGS})
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS T_DEPS)
    target_link_libraries(test_${name} PRIVATE soma_${dep})
  endforeach()
  target_link_libraries(test_${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(test_${name} PRIVATE
    SOMA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SOMA_SHARED_DATA="${PROJECT_SOURCE_DIR}/../shared/data")
  set_property(GLOBAL APPEND PROPERTY SOMA_UNIT_TESTS test_${name})
  add_test(NAME ${name} COMMAND test_${name} --gtest_brief=1
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  if(T_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  endif()
endfunction()
