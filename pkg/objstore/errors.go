package objstore

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"
)

// s3Error is the store's error code and HTTP status, when the store answered.
func s3Error(err error) (code string, status int) {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code, er.StatusCode
	}
	var pe *minio.ErrorResponse
	if errors.As(err, &pe) && pe != nil {
		return pe.Code, pe.StatusCode
	}
	return "", 0
}

// isNotFound is true for a missing object (not a missing bucket: that is a setup error).
func isNotFound(err error) bool {
	code, status := s3Error(err)
	switch code {
	case "NoSuchKey", "NotFound":
		return true
	case "NoSuchBucket":
		return false
	}
	return status == http.StatusNotFound && code == ""
}

// fail wraps err for op on key: ErrNotFound for a missing object, else the store's words.
func (b *Bucket) fail(op, key string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("objstore: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("objstore: %s %s: %w", op, key, err)
}
