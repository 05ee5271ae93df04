"""Before anything starts: say what this machine would download, and point to the
classroom kit when the download hosts do not answer. Printing only."""


def announce_downloads(env, report) -> None:
    """One note listing the downloads (with approximate sizes); a second one when the
    network looks absent. Says nothing, and contacts nothing, when all is there."""
    from runner.kind import needs, reach
    from runner.kind.downloads import BASE_VARIABLE, DOWNLOADABLE
    from runner.kind.images import LAB_IMAGE, local_image_id
    from runner.kind.versions import NODE_IMAGE

    missing = [c.tool for c in report.checks if c.tool in DOWNLOADABLE and not c.ok]
    docker_ok = report.version("docker") is not None and all(
        c.ok for c in report.checks if c.tool == "docker")
    has = (lambda image: local_image_id(image, env.environ) is not None) if docker_ok else \
        (lambda image: True)  # without Docker, preflight's own error comes first
    planned = needs.plan_needs(missing, has(NODE_IMAGE.split("@")[0]), has(LAB_IMAGE),
                               has(needs.LAB_BASE), env.environ.get(BASE_VARIABLE) or None)
    if not planned:
        return
    env.err(f"crashlab: note: this machine will download {needs.describe(planned)}")
    down = reach.unreachable([need.host for need in planned])
    if down:
        hosts = ", ".join(f"{host}:{port}" for host, port in down)
        env.err(f"crashlab: note: the network looks absent ({hosts} did not answer): ask the "
                "instructor for the classroom kit and run `make lab-3 KIT=DIR` "
                "(or `crashlab cluster up --kit DIR`)")
