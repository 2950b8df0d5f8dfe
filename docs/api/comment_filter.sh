#!/bin/sh
# Doxygen's INPUT_FILTER for soma's headers (docs/api/Doxyfile): their comments are plain
# // lines, made /// here so that Doxygen takes each as the documentation of what follows.
# In them, a '<' before a letter is template syntax (template <class T>), not an HTML tag:
# it is escaped. Markdown pages (docs/api/*.md) pass unchanged.
case "$1" in
  *.hpp) exec sed -e '/^[[:space:]]*\/\//{
s|^\([[:space:]]*\)//\([^/]\)|\1///\2|
s|^\([[:space:]]*\)//$|\1///|
s|<\([A-Za-z]\)|\\<\1|g
}' "$1" ;;
  *) exec cat "$1" ;;
esac
