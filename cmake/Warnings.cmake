# Warnings for the project's own targets only (mv_warnings(target)).
function(mv_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wformat=2 -Wvla
        -Wstrict-prototypes -Wmissing-prototypes)
    if(MV_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
