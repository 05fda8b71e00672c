@echo off
rem The Diffusion Depot CLI on Windows (train, describe, bench, export, eval, report), as tools/depot.
rem Build first: mvnw.cmd -B package -DskipTests (the windows-x86_64 profile picks TensorFlow's
rem Windows native by itself).
setlocal
set "JAR=%~dp0..\target\depot.jar"
if not exist "%JAR%" goto missing
rem TensorFlow's C++ start-up chatter is not for users; set TF_CPP_MIN_LOG_LEVEL=0 to see it.
if not defined TF_CPP_MIN_LOG_LEVEL set "TF_CPP_MIN_LOG_LEVEL=2"
rem -Xss4m: the thread stack the tests run with (surefire.argLine in pom.xml); DEPOT_JAVA_OPTS may change it.
java -Xss4m %DEPOT_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%

:missing
echo tools\depot.cmd: %JAR% is missing; build it with: mvnw.cmd -B package -DskipTests 1>&2
exit /b 2
