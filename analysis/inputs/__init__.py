"""Read and validate the inputs."""
