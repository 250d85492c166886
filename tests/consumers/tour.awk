# Prints the README's tour example: the first ```cpp block after the heading
# "## A tour of the API". Every consumer build compiles exactly that text.
/^## A tour of the API/ { in_tour = 1 }
in_tour && /^```cpp/ { in_code = 1; next }
in_code && /^```/ { exit }
in_code { print }
