# Finds the JDK the project builds and runs on (Java 25 or newer) and exports JAVA_HOME and PATH for it.
# Sourced (POSIX sh) by ./mvnw and by every script in deploy/local, so the README's two commands need no set-up:
#   1. JAVA_HOME, if it holds a JDK 25+;
#   2. else the newest JDK 25+ in the system's usual JDK folders (/usr/lib/jvm on Debian and Ubuntu,
#      /usr/lib/jvm and /usr/java on Red Hat-likes, /Library/Java/JavaVirtualMachines on macOS,
#      ~/.sdkman/candidates/java and ~/.jdks for per-user installs);
#   3. else the `java` on PATH, if it is 25+;
#   4. else a message saying what to install, and a non-zero status.
# MARKETBILL_MIN_JAVA changes the minimum (default 25).

marketbill_java_feature() {
  # the feature release of the JDK in $1 (25 for 25.0.3), read from its `release` file without starting a JVM;
  # empty when $1 is not a JDK (a JRE has no javac, and the build needs one)
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

marketbill_find_jdk() {
  min="${MARKETBILL_MIN_JAVA:-25}"
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(marketbill_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
      return 0
    fi
  fi
  best=""; best_v=0
  for dir in /usr/lib/jvm/* /usr/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
             "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$dir" ] || continue
    [ -L "$dir" ] && continue   # Debian's default-java and similar links point at a JDK listed anyway
    v=$(marketbill_java_feature "$dir")
    if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then
      best="$dir"; best_v="$v"
    fi
  done
  if [ -z "$best" ] && command -v java > /dev/null 2>&1; then
    onpath=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p' | head -n 1)
    v=$(marketbill_java_feature "$onpath")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then best="$onpath"; fi
  fi
  if [ -z "$best" ]; then
    {
      echo "marketbill needs a JDK $min or newer, and found none:"
      if [ -n "${JAVA_HOME:-}" ]; then
        echo "  JAVA_HOME=$JAVA_HOME is Java ${v:-?}, or not a JDK;"
      fi
      echo "  nothing suitable in /usr/lib/jvm, /usr/java, /Library/Java/JavaVirtualMachines, ~/.sdkman or ~/.jdks,"
      echo "  and the java on PATH is not $min+."
      echo "Install one, e.g. Eclipse Temurin $min (Debian/Ubuntu: the temurin-$min-jdk package from"
      echo "packages.adoptium.net; macOS: brew install --cask temurin@$min), or set JAVA_HOME to a JDK $min+."
    } >&2
    return 1
  fi
  JAVA_HOME="$best"
}

if marketbill_find_jdk; then
  export JAVA_HOME
  PATH="$JAVA_HOME/bin:$PATH"
  export PATH
else
  exit 1
fi
