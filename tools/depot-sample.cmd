@echo off
rem The sampler on Windows: images from an export, as tools/depot-sample. Needs only
rem target\depot-sampler.jar and target\lib\. Build first: mvnw.cmd -B package -DskipTests
setlocal
set "JAR=%~dp0..\target\depot-sampler.jar"
if not exist "%JAR%" goto missing
if not defined TF_CPP_MIN_LOG_LEVEL set "TF_CPP_MIN_LOG_LEVEL=2"
rem -Xss4m: the thread stack the tests run with (surefire.argLine in pom.xml); DEPOT_JAVA_OPTS may change it.
java -Xss4m %DEPOT_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%

:missing
echo tools\depot-sample.cmd: %JAR% is missing; build it with: mvnw.cmd -B package -DskipTests 1>&2
exit /b 2
