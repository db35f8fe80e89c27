module pgobuild.dev/client

go 1.21
