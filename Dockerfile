# natowatch: a static, cgo-free binary on a distroless base, run as non-root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/natowatch/natowatch/cli.Version=${VERSION}" -o /natowatch ./cmd/natowatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /natowatch /natowatch
USER nonroot:nonroot
WORKDIR /data
ENTRYPOINT ["/natowatch"]
CMD ["--config", "/etc/natowatch/natowatch.yaml", "run"]
