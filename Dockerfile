# The gatehouse image. Build the jar first, then the image:
#   mvn -B -ntp -DskipTests package -pl gatehouse-app -am
#   docker build -t registry.example/gatehouse:0.1.0 .
# deploy/ and the chart run it with a read-only root filesystem (an emptyDir on /tmp) as a non-root user.
FROM eclipse-temurin:17-jre
# A fixed numeric id, so that runAsNonRoot can verify it without resolving names.
RUN groupadd --system --gid 10001 gatehouse \
 && useradd --system --uid 10001 --gid gatehouse --no-create-home --shell /usr/sbin/nologin gatehouse
COPY gatehouse-app/target/gatehouse.jar /opt/gatehouse/gatehouse.jar
# Class data sharing: a training run (the quickstart on loopback, requests, a reload, controller mode's classes)
# writes the classes a start loads to an archive that every start maps instead of loading and verifying them
# again. -Xmx512m: the archive needs the compressed oops of any heap under 32 GiB, whatever this host's memory.
RUN java -XX:+UseG1GC -Xmx512m -XX:ArchiveClassesAtExit=/opt/gatehouse/gatehouse.jsa -jar /opt/gatehouse/gatehouse.jar train
USER 10001:10001
# 8080/8443: listeners (unprivileged ports, so no NET_BIND_SERVICE); 9901: the read-only admin API.
EXPOSE 8080 8443 9901
# -Xshare:auto: an archive this JVM cannot use costs a warning, not the start. G1, as the launcher runs controller
# mode: the JVM would pick Serial under the chart's 1 GiB limit, and its full collections of the informers' caches
# and the served config (~230 MiB at 5,000 routes) would stall a config change for seconds (docs/scale.md).
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", \
            "-Dio.netty.leakDetection.level=disabled", "-Dio.netty.allocator.type=pooled", \
            "-XX:SharedArchiveFile=/opt/gatehouse/gatehouse.jsa", "-Xshare:auto", "-jar", "/opt/gatehouse/gatehouse.jar"]
CMD ["run", "--kubernetes"]
