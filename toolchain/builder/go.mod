module pgobuild.dev/builder

go 1.21
